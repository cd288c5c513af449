/* An LD_PRELOAD shim for the durability tests (tests/interop/test_durability.py): it logs every
 * mkdir and fsync a process makes and can inject the faults floe must survive, without root and
 * without touching floe's code. Compiled by the test with the system's cc.
 *
 *   FLOE_SHIM_LOG=FILE                 append "mkdir PATH" / "fsync dir|file PATH" lines to FILE
 *   FLOE_SHIM_FAIL_DIR_FSYNC=SUBSTR    fsync of a directory whose path contains SUBSTR fails (EIO)
 *   FLOE_SHIM_NO_LINKS=1               link() fails with EPERM, as on a filesystem without hard links
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void log_line(const char* kind, const char* path) {
  const char* log = getenv("FLOE_SHIM_LOG");
  if (log == NULL) return;
  char line[8192];
  int n = snprintf(line, sizeof line, "%s %s\n", kind, path);
  if (n <= 0 || n >= (int)sizeof line) return;
  int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = write(fd, line, (size_t)n);
  (void)ignored;
  close(fd);
}

int fsync(int fd) {
  static int (*real)(int) = NULL;
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  path[n > 0 ? n : 0] = '\0';
  struct stat st;
  const int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  log_line(dir ? "fsync dir" : "fsync file", path);
  const char* fail = getenv("FLOE_SHIM_FAIL_DIR_FSYNC");
  if (dir && fail != NULL && strstr(path, fail) != NULL) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}

int mkdir(const char* path, mode_t mode) {
  static int (*real)(const char*, mode_t) = NULL;
  if (real == NULL) real = (int (*)(const char*, mode_t))dlsym(RTLD_NEXT, "mkdir");
  const int rc = real(path, mode);
  if (rc == 0) {
    char full[4096];
    if (path[0] != '/' && getcwd(full, sizeof full) != NULL) {
      strncat(full, "/", sizeof full - strlen(full) - 1);
      strncat(full, path, sizeof full - strlen(full) - 1);
      log_line("mkdir", full);
    } else {
      log_line("mkdir", path);
    }
  }
  return rc;
}

int link(const char* from, const char* to) {
  static int (*real)(const char*, const char*) = NULL;
  if (real == NULL) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "link");
  if (getenv("FLOE_SHIM_NO_LINKS") != NULL) {
    errno = EPERM;
    return -1;
  }
  return real(from, to);
}
