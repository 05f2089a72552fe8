/* validators.c: strict JSON, Prometheus text format and XML checkers of the status output. */
#include "status_fixture.h"

/* ------------------------------------------------------------------ */
/* A strict JSON parser (RFC 8259), for well-formedness only             */

typedef struct jp {
    const char *p;
} jp;

static int json_value(jp *j, int depth);

static void json_ws(jp *j)
{
    while (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')
        j->p++;
}

static int json_str(jp *j)
{
    if (*j->p != '"')
        return 0;
    for (j->p++; *j->p != '"'; j->p++) {
        if ((unsigned char)*j->p < 0x20)
            return 0;
        if (*j->p == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!apr_isxdigit(j->p[i]))
                        return 0;
                j->p += 4;
            } else if (!strchr("\"\\/bfnrt", *j->p) || *j->p == '\0') {
                return 0;
            }
        }
    }
    j->p++;
    return 1;
}

static int json_digits(jp *j)
{
    const char *start = j->p;
    while (apr_isdigit(*j->p))
        j->p++;
    return j->p > start;
}

static int json_num(jp *j)
{
    if (*j->p == '-')
        j->p++;
    if (*j->p == '0')
        j->p++;
    else if (!json_digits(j))
        return 0;
    if (*j->p == '.') {
        j->p++;
        if (!json_digits(j))
            return 0;
    }
    if (*j->p == 'e' || *j->p == 'E') {
        j->p++;
        if (*j->p == '+' || *j->p == '-')
            j->p++;
        if (!json_digits(j))
            return 0;
    }
    return 1;
}

static int json_seq(jp *j, int depth, char close, int object)
{
    j->p++;
    json_ws(j);
    if (*j->p == close) {
        j->p++;
        return 1;
    }
    for (;;) {
        json_ws(j);
        if (object) {
            if (!json_str(j))
                return 0;
            json_ws(j);
            if (*j->p++ != ':')
                return 0;
        }
        if (!json_value(j, depth + 1))
            return 0;
        json_ws(j);
        if (*j->p == close) {
            j->p++;
            return 1;
        }
        if (*j->p++ != ',')
            return 0;
    }
}

static int json_value(jp *j, int depth)
{
    if (depth > 32)
        return 0;
    json_ws(j);
    switch (*j->p) {
    case '{': return json_seq(j, depth, '}', 1);
    case '[': return json_seq(j, depth, ']', 0);
    case '"': return json_str(j);
    case 't': return strncmp(j->p, "true", 4) == 0 ? (j->p += 4, 1) : 0;
    case 'f': return strncmp(j->p, "false", 5) == 0 ? (j->p += 5, 1) : 0;
    case 'n': return strncmp(j->p, "null", 4) == 0 ? (j->p += 4, 1) : 0;
    default:  return json_num(j);
    }
}

int json_valid(const char *text)
{
    jp j = { text };
    if (!json_value(&j, 0))
        return 0;
    json_ws(&j);
    return *j.p == '\0';
}

const char *json_object_named(const char *text, const char *name)
{
    const char *start = strstr(text, apr_psprintf(pool, "{\"name\":\"%s\"", name));
    const char *end;
    ck_assert_msg(start != NULL, "no object named %s in %s", name, text);
    end = strchr(start, '}');
    return apr_pstrndup(pool, start, (apr_size_t)(end - start + 1));
}

/* ------------------------------------------------------------------ */
/* A strict Prometheus text format 0.0.4 validator                       */

#define MAX_FAMILIES 64

typedef struct prom_state {
    const char *help[MAX_FAMILIES];
    const char *type[MAX_FAMILIES];
    const char *names[MAX_FAMILIES];
    int samples[MAX_FAMILIES];
    int n;
    int current;            /* the family whose lines come now, -1 before the first */
} prom_state;

static int prom_name_len(const char *p)
{
    int n = 0;
    if (!(apr_isalpha(p[0]) || p[0] == '_' || p[0] == ':'))
        return 0;
    while (apr_isalnum(p[n]) || p[n] == '_' || p[n] == ':')
        n++;
    return n;
}

/* The family of `name`; a new one only where a family may start (contiguity). */
static int prom_family(prom_state *st, const char *name, const char **why)
{
    for (int i = 0; i < st->n; i++)
        if (strcmp(st->names[i], name) == 0) {
            if (i != st->current)
                *why = "family lines are not contiguous";
            return i;
        }
    ck_assert_int_lt(st->n, MAX_FAMILIES);
    st->names[st->n] = name;
    st->current = st->n;
    return st->n++;
}

static const char *prom_meta(prom_state *st, const char *line)
{
    int help = strncmp(line, "# HELP ", 7) == 0, type = strncmp(line, "# TYPE ", 7) == 0;
    const char *rest = line + 7, *why = NULL;
    int n = prom_name_len(rest), f;
    if (!help && !type)
        return "a comment line that is neither HELP nor TYPE";
    if (n == 0 || rest[n] != ' ')
        return "bad metric name in HELP/TYPE";
    f = prom_family(st, apr_pstrndup(pool, rest, (apr_size_t)n), &why);
    if (why)
        return why;
    if (st->samples[f])
        return "HELP/TYPE after samples";
    if (help) {
        if (st->help[f])
            return "HELP twice";
        st->help[f] = rest + n + 1;
        return NULL;
    }
    if (st->type[f])
        return "TYPE twice";
    st->type[f] = rest + n + 1;
    if (strcmp(st->type[f], "counter") && strcmp(st->type[f], "gauge") &&
        strcmp(st->type[f], "untyped") && strcmp(st->type[f], "summary") &&
        strcmp(st->type[f], "histogram"))
        return "unknown TYPE";
    if (strcmp(st->type[f], "counter") == 0 &&
        (strlen(st->names[f]) < 6 || strcmp(st->names[f] + strlen(st->names[f]) - 6, "_total")))
        return "a counter whose name does not end in _total";
    return NULL;
}

static const char *prom_labels(const char **pp)
{
    const char *p = *pp + 1;
    while (*p != '}') {
        int n = prom_name_len(p);
        if (n == 0 || p[n] != '=' || p[n + 1] != '"')
            return "bad label";
        for (p += n + 2; *p != '"'; p++) {
            if (*p == '\0' || *p == '\n')
                return "unterminated label value";
            if (*p == '\\' && !strchr("\\\"n", *++p))
                return "bad escape in label value";
        }
        p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            return "labels not separated by commas";
    }
    *pp = p + 1;
    return NULL;
}

static const char *prom_sample(prom_state *st, const char *line)
{
    const char *p = line, *why = NULL;
    int n = prom_name_len(p), f;
    char *end;
    if (n == 0)
        return "bad sample name";
    f = prom_family(st, apr_pstrndup(pool, line, (apr_size_t)n), &why);
    if (why)
        return why;
    if (!st->help[f] || !st->type[f])
        return "a sample before its family's HELP and TYPE";
    p += n;
    if (*p == '{' && (why = prom_labels(&p)) != NULL)
        return why;
    if (*p++ != ' ')
        return "no space before the value";
    (void)strtod(p, &end);
    if (end == p || (*end != '\0' && *end != ' '))
        return "bad sample value";
    st->samples[f]++;
    return NULL;
}

const char *prom_validate(const char *text)
{
    prom_state st;
    char *copy = apr_pstrdup(pool, text), *save, *line;
    memset(&st, 0, sizeof(st));
    st.current = -1;
    if (*text == '\0' || text[strlen(text) - 1] != '\n')
        return "must end with a newline";
    for (line = apr_strtok(copy, "\n", &save); line; line = apr_strtok(NULL, "\n", &save)) {
        const char *why = line[0] == '#' ? prom_meta(&st, line) : prom_sample(&st, line);
        if (why)
            return apr_psprintf(pool, "%s: %s", why, line);
    }
    return st.n > 0 ? NULL : "no families";
}

/* ------------------------------------------------------------------ */
/* XML: balanced tags, quoted attributes, only known entities            */

static int bare_amp(const char *p)
{
    return strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
           strncmp(p, "&quot;", 6) && strncmp(p, "&#39;", 5);
}

const char *xml_check(const char *text)
{
    const char *stack[32];
    int depth = 0, roots = 0;
    const char *p = text;
    if (strncmp(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) != 0)
        return "no XML declaration";
    for (p += 39; *p; p++) {
        if (*p == '&') {
            if (bare_amp(p))
                return "a bare &";
        } else if (*p == '>') {
            return "a bare >";
        } else if (*p == '<') {
            const char *end = p + 1;
            int quote = 0;
            for (; *end && (quote || *end != '>'); end++) {
                if (*end == '"')
                    quote = !quote;
                else if (*end == '<')
                    return "< inside a tag";
                else if (*end == '&' && bare_amp(end))
                    return "a bare & inside a tag";
            }
            if (*end != '>')
                return "unterminated tag";
            if (p[1] == '!' || p[1] == '?') {
                p = end;
                continue;
            }
            if (p[1] == '/') {
                size_t n = (size_t)(end - p - 2);
                if (depth == 0 || strlen(stack[depth - 1]) != n || strncmp(stack[depth - 1],
                                                                           p + 2, n))
                    return "mismatched end tag";
                depth--;
            } else {
                size_t n = strcspn(p + 1, " />");
                if (depth == 0)
                    roots++;
                if (end[-1] != '/') {
                    ck_assert_int_lt(depth, 32);
                    stack[depth++] = apr_pstrndup(pool, p + 1, n);
                }
            }
            p = end;
        }
    }
    if (depth != 0)
        return "unclosed element";
    return roots == 1 ? NULL : "not exactly one root element";
}
