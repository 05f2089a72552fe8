/*
 * fake_ajp_server MODE [PORTFILE]: the fake AJP backend as a process, for fault
 * tests through a real httpd.  Listens on 127.0.0.1 (a free port), writes the
 * port to PORTFILE (or stdout), prints one line per connection and request on
 * stdout, and runs until SIGTERM or SIGINT.
 */
#define _POSIX_C_SOURCE 200809L
#include "fake_ajp.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    fake_ajp f;
    int mode = argc > 1 ? fake_ajp_mode_by_name(argv[1]) : -1;
    FILE *portfile = stdout;
    sigset_t stop;
    int sig;

    if (mode < 0) {
        fprintf(stderr, "usage: %s normal|no-reuse|close|silent|bad-magic|big-chunk|body-first|"
                        "headers-twice|truncated|unknown-type|ignore-cping|oversized|bad-header|stall-body|"
                        "flush-pause|slow-body|pause-lost "
                        "[PORTFILE]\n", argv[0]);
        return 2;
    }
    /* Block the stop signals before the server thread exists; only main waits for them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (fake_ajp_start(&f, (fake_mode)mode) != 0) {
        perror("fake_ajp_server");
        return 1;
    }
    f.events = stdout;
    if (argc > 2 && (portfile = fopen(argv[2], "w")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    fprintf(portfile, "%d\n", f.port);
    fflush(portfile);
    if (portfile != stdout)
        fclose(portfile);
    sigwait(&stop, &sig);
    fake_ajp_stop(&f);
    return 0;
}
