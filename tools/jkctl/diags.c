/*
 * diags.c: diagnostics: every error and warning once, with its file:line, sorted by
 * file (in the order they were read) and line, printed as the module words them.
 */
#include "jkctl.h"

diags *diags_create(apr_pool_t *p)
{
    diags *d = apr_pcalloc(p, sizeof(*d));
    d->pool = p;
    d->list = apr_array_make(p, 16, sizeof(diag));
    d->seen = apr_hash_make(p);
    d->ranks = apr_hash_make(p);
    return d;
}

int diags_rank(diags *d, const char *file)
{
    int *rank;
    if (file == NULL)
        return -1;
    if ((rank = apr_hash_get(d->ranks, file, APR_HASH_KEY_STRING)) == NULL) {
        rank = apr_palloc(d->pool, sizeof(*rank));
        *rank = (int)apr_hash_count(d->ranks);
        apr_hash_set(d->ranks, apr_pstrdup(d->pool, file), APR_HASH_KEY_STRING, rank);
    }
    return *rank;
}

void diags_add(diags *d, int error, const char *file, int line, const char *text)
{
    const char *key = apr_psprintf(d->pool, "%d|%s|%d|%s", error, file ? file : "", line, text);
    diag *g;
    if (apr_hash_get(d->seen, key, APR_HASH_KEY_STRING))
        return;
    apr_hash_set(d->seen, key, APR_HASH_KEY_STRING, key);
    g = apr_array_push(d->list);
    g->error = error;
    g->file = file;
    g->line = line;
    g->text = text;
    g->seq = d->list->nelts;
    g->file_rank = diags_rank(d, file);
    if (error)
        d->errors++;
    else
        d->warnings++;
}

void diags_addf(diags *d, int error, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    const char *text;
    va_start(ap, fmt);
    text = apr_pvsprintf(d->pool, fmt, ap);
    va_end(ap);
    diags_add(d, error, file, line, text);
}

/* "file:12: text" or "file: text", as the module writes them: split off the place. */
static void split_place(apr_pool_t *p, const char *msg, const char **file, int *line,
                        const char **text)
{
    const char *c;
    for (c = strchr(msg, ':'); c; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        while (apr_isdigit(*d))
            d++;
        if (d > c + 1 && d[0] == ':' && d[1] == ' ') {
            *file = apr_pstrndup(p, msg, (apr_size_t)(c - msg));
            *line = atoi(c + 1);
            *text = d + 2;
            return;
        }
    }
    *line = 0;
    if ((c = strstr(msg, ": ")) != NULL) {
        *file = apr_pstrndup(p, msg, (apr_size_t)(c - msg));
        *text = c + 2;
    } else {
        *file = NULL;
        *text = msg;
    }
}

void diags_import(diags *d, int error, const apr_array_header_t *messages)
{
    for (int i = 0; i < messages->nelts; i++) {
        const char *file, *text;
        int line;
        split_place(d->pool, APR_ARRAY_IDX(messages, i, const char *), &file, &line, &text);
        diags_add(d, error, file, line, text);
    }
}

static int compare_diags(const void *a, const void *b)
{
    const diag *x = a, *y = b;
    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->error != y->error)
        return y->error - x->error;
    return x->seq - y->seq;
}

static void print_diag(FILE *out, const diag *g)
{
    const char *sev = g->error ? "error" : "warning";
    if (g->file && g->line > 0)
        fprintf(out, "%s:%d: %s: %s\n", g->file, g->line, sev, g->text);
    else if (g->file)
        fprintf(out, "%s: %s: %s\n", g->file, sev, g->text);
    else
        fprintf(out, "%s: %s\n", sev, g->text);
}

void diags_print(diags *d, FILE *out, int errors_only)
{
    if (d->list->nelts > 1)
        qsort(d->list->elts, (size_t)d->list->nelts, sizeof(diag), compare_diags);
    for (int i = 0; i < d->list->nelts; i++) {
        const diag *g = &APR_ARRAY_IDX(d->list, i, diag);
        if (g->error || !errors_only)
            print_diag(out, g);
    }
}
