/*
 * jk_log: the mod_jk.log writer.
 *
 * One line per event: "<stamp> [pid:tid] [level] message".  The stamp is an
 * strftime format (JkLogStampFormat) that may also hold %Q (milliseconds) or
 * %q (microseconds).  Each line is written with one write(2) on a file opened
 * for appending (or a pipe), so lines from threads and processes never mix.
 * A NULL logger is valid and logs nothing.
 */
#ifndef JK_LOG_H
#define JK_LOG_H

#include <apr_file_io.h>
#include <apr_pools.h>

typedef enum jk_log_level {
    JK_LOG_TRACE = 0,
    JK_LOG_DEBUG,
    JK_LOG_INFO,
    JK_LOG_WARN,
    JK_LOG_ERROR,
    JK_LOG_EMERG
} jk_log_level;

#define JK_LOG_DEFAULT_LEVEL JK_LOG_INFO
#define JK_LOG_DEFAULT_STAMP "[%a %b %d %H:%M:%S.%Q %Y] "
#define JK_LOG_MAX_LINE 8192

typedef struct jk_logger {
    apr_file_t *file;
    jk_log_level level;
    const char *stamp_format;
} jk_logger;

jk_logger *jk_log_create(apr_pool_t *pool, apr_file_t *file, jk_log_level level,
                         const char *stamp_format);
/* The level for a name (trace, debug, info, warn, error, emerg), or -1. */
int jk_log_level_parse(const char *name);
const char *jk_log_level_name(jk_log_level level);

static inline int jk_log_enabled(const jk_logger *l, jk_log_level level)
{
    return l != NULL && level >= l->level;
}

void jk_log(const jk_logger *l, jk_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The id of the request this thread is serving (JkRequestIdIndicator), or NULL: while set,
 * every line this thread logs carries it, so a request's lines can be found together.
 * The string must outlive the request; clear it (NULL) when the request is done.
 */
void jk_log_set_request_id(const char *id);

/* A request log line (JkRequestLogFormat): written whatever the level. */
void jk_log_request(const jk_logger *l, const char *line);

/* Format the stamp for time `t` into buf; returns the length written. */
apr_size_t jk_log_format_stamp(const char *format, apr_time_t t, char *buf, apr_size_t size);

#endif
