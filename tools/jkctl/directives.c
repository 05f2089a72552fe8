/*
 * jkctl directives: the httpd directives of the module.  The list is also
 * what the httpd.conf reader recognises as the module's.
 */
#include "jkctl.h"

/* The module's directives (native/apache2/jk_directives.c); a test keeps the two lists equal. */
const char *const module_directives[] = {
    "JkWorkersFile", "JkWorkerProperty", "JkLogFile", "JkLogLevel", "JkLogStampFormat",
    "JkMount", "JkUnMount", "JkMountFile", "JkMountFileReload", "JkStripSession",
    "JkRequestLogFormat", "JkMountCopy", "JkOptions", "JkEnvVar", "JkWatchdogInterval",
    "JkWorkerIndicator", "JkHTTPSIndicator", "JkSSLPROTOCOLIndicator", "JkCERTSIndicator",
    "JkCIPHERIndicator", "JkSESSIONIndicator", "JkKEYSIZEIndicator", "JkCERTCHAINPrefix",
    "JkRequestIdIndicator", "JkRemoteAddrIndicator", "JkRemotePortIndicator",
    "JkRemoteHostIndicator", "JkRemoteUserIndicator", "JkAuthTypeIndicator",
    "JkLocalNameIndicator", "JkLocalAddrIndicator", "JkLocalPortIndicator",
    "JkIgnoreCLIndicator", "JkAutoAlias", "JkExtractSSL", "JkShmFile", "JkShmSize",
    NULL
};

int cmd_directives(apr_pool_t *p, const options *o)
{
    (void)p;
    (void)o;
    for (int i = 0; module_directives[i]; i++)
        printf("%s\n", module_directives[i]);
    return EXIT_CLEAN;
}
