/*
 * jk_log.c: the mod_jk.log writer (see jk_log.h): one line per event, written with
 * one write(2), with the JkLogStampFormat stamp.
 */
#include "jk_log.h"

#include <apr_strings.h>
#include <apr_time.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

static const char *const level_names[] = { "trace", "debug", "info", "warn", "error", "emerg" };
#define LEVEL_COUNT (int)(sizeof(level_names) / sizeof(level_names[0]))

jk_logger *jk_log_create(apr_pool_t *pool, apr_file_t *file, jk_log_level level,
                         const char *stamp_format)
{
    jk_logger *l = apr_pcalloc(pool, sizeof(*l));
    l->file = file;
    l->level = level;
    l->stamp_format = stamp_format ? stamp_format : JK_LOG_DEFAULT_STAMP;
    return l;
}

int jk_log_level_parse(const char *name)
{
    for (int i = 0; i < LEVEL_COUNT; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

const char *jk_log_level_name(jk_log_level level)
{
    return (int)level >= 0 && (int)level < LEVEL_COUNT ? level_names[level] : "?";
}

/* Replace %Q and %q (which strftime does not know) by the sub-second digits. */
static void expand_subseconds(const char *format, apr_time_t t, char *out, apr_size_t size)
{
    apr_size_t o = 0;
    for (const char *p = format; *p && o + 8 < size; p++) {
        if (p[0] == '%' && (p[1] == 'Q' || p[1] == 'q')) {
            if (p[1] == 'Q')
                o += (apr_size_t)snprintf(out + o, size - o, "%03d", (int)(apr_time_usec(t) / 1000));
            else
                o += (apr_size_t)snprintf(out + o, size - o, "%06d", (int)apr_time_usec(t));
            p++;
        } else if (p[0] == '%' && p[1] != '\0') {
            out[o++] = *p++;
            out[o++] = *p;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

apr_size_t jk_log_format_stamp(const char *format, apr_time_t t, char *buf, apr_size_t size)
{
    char fmt[256];
    struct tm tm;
    time_t secs = (time_t)apr_time_sec(t);

    expand_subseconds(format, t, fmt, sizeof(fmt));
    localtime_r(&secs, &tm);
    return strftime(buf, size, fmt, &tm);
}

static _Thread_local const char *request_id;

void jk_log_set_request_id(const char *id)
{
    request_id = id;
}

void jk_log(const jk_logger *l, jk_log_level level, const char *fmt, ...)
{
    char line[JK_LOG_MAX_LINE];
    apr_size_t n;
    int m;
    va_list ap;

    if (!jk_log_enabled(l, level) || l->file == NULL)
        return;
    n = jk_log_format_stamp(l->stamp_format, apr_time_now(), line, sizeof(line) - 1);
    if (n > 0 && line[n - 1] != ' ')
        line[n++] = ' ';
    m = snprintf(line + n, sizeof(line) - n, "[%ld:%lu] [%s] ", (long)getpid(),
                 (unsigned long)pthread_self(), level_names[level]);
    n += (apr_size_t)m;
    if (request_id) {
        /* At most 64 characters of it: an id never crowds out the message. */
        m = snprintf(line + n, sizeof(line) - n, "[%.64s] ", request_id);
        n += (apr_size_t)m;
    }
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    if ((apr_size_t)m >= sizeof(line) - n - 1) {
        /* Too long: keep what fits and say it was cut. */
        n = sizeof(line) - 5;
        memcpy(line + n, "...", 3);
        n += 3;
    } else {
        n += (apr_size_t)m;
    }
    line[n++] = '\n';
    apr_file_write_full(l->file, line, n, NULL);
}

void jk_log_request(const jk_logger *l, const char *text)
{
    char line[JK_LOG_MAX_LINE];
    apr_size_t n, len;

    if (l == NULL || l->file == NULL)
        return;
    n = jk_log_format_stamp(l->stamp_format, apr_time_now(), line, sizeof(line) - 1);
    if (n > 0 && line[n - 1] != ' ')
        line[n++] = ' ';
    len = strlen(text);
    if (len > sizeof(line) - n - 1)
        len = sizeof(line) - n - 1;
    memcpy(line + n, text, len);
    n += len;
    line[n++] = '\n';
    apr_file_write_full(l->file, line, n, NULL);
}
