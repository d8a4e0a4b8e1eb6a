/*
 * A hostile DynClib guest, for the host hardening tests (issue 24).
 *
 * One C file, two ABI generations:
 *   gcc -shared -fPIC -O1 -pthread            -o libhostile.so      hostile.c   (generation 1)
 *   gcc -shared -fPIC -O1 -pthread -DGEN2     -o libhostile-gen2.so hostile.c   (generation 2)
 * (test/host/hostile-guest.ts builds both into test/hostile/build/.)
 *
 * What the guest does is chosen by environment variables, read in actr_init
 * (so each loaded image keeps the mode it was initialised with):
 *   HOSTILE_MODE      the behaviour (README.md lists them; default "echo")
 *   HOSTILE_SLEEP_MS  how long "sleep" and "late-invoke" wait (default 300)
 *   HOSTILE_COUNT     how many invokes "no-free" makes (default 20)
 *   HOSTILE_OUT       a file the guest appends what it saw to, one line per
 *                     fact (late invokes, the length actr_free_response got)
 *
 * It knows no protobuf beyond a hand-written scan: the frames it sends are
 * fixed bytes, and the replies it returns are hand-encoded AbiReplys.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SUCCESS 0
#define GENERIC_ERROR (-1)
#define INIT_FAILED (-2)
#define PROTOCOL_ERROR (-5)

typedef void (*free_host_buf_fn)(uint8_t *ptr, size_t len);

#ifdef GEN2
/* Section 8: retain_context, release_context, invoke(token, ...), free_host_buf. */
typedef struct {
  int32_t (*retain_context)(uint64_t token);
  void (*release_context)(uint64_t token);
  int32_t (*invoke)(uint64_t token, const uint8_t *frame, size_t len, uint8_t **out, size_t *out_len);
  free_host_buf_fn free_host_buf;
} HostVTable;
#else
/* Section 1: invoke, free_host_buf. */
typedef struct {
  int32_t (*invoke)(const uint8_t *frame, size_t len, uint8_t **out, size_t *out_len);
  free_host_buf_fn free_host_buf;
} HostVTable;
#endif

/*
 * A HOST_CALL to "hostile.Ping" (dest shell, payload "ping"), made once with
 * this repository's encoder:
 *   encodeFrame(HostCallV1Schema, create(HostCallV1Schema, { routeKey: "hostile.Ping",
 *     dest: create(DestV1Schema, { kind: { case: "shell", value: true } }),
 *     payload: new TextEncoder().encode("ping") }))
 *   = 080110011a180a0c686f7374696c652e50696e67120208011a0470696e67 (30 bytes)
 */
static const uint8_t PING_FRAME[] = {
    0x08, 0x01, 0x10, 0x01, 0x1a, 0x18, 0x0a, 0x0c, 0x68, 0x6f, 0x73, 0x74, 0x69, 0x6c, 0x65,
    0x2e, 0x50, 0x69, 0x6e, 0x67, 0x12, 0x02, 0x08, 0x01, 0x1a, 0x04, 0x70, 0x69, 0x6e, 0x67,
};

static const HostVTable *vt;
static char mode[64] = "echo";
static long sleep_ms = 300;
static long invoke_count = 20;
static char out_path[1024];
/* "init-invoke": what the invoke made inside actr_init got. */
static int32_t init_rc = 99, init_status = 99;
/* A reply that is never freed by anyone ("huge-reply" points at it). */
static uint8_t static_reply[16] = {0x08, 0x01};

static int is_mode(const char *m) { return strcmp(mode, m) == 0; }

static long env_long(const char *name, long fallback) {
  const char *v = getenv(name);
  return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : fallback;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_for(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* Appends one line to HOSTILE_OUT (when set). */
static void record(const char *line) {
  if (out_path[0] == '\0') return;
  int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  size_t n = strlen(line);
  if (write(fd, line, n) != (ssize_t)n) {
  }
  if (write(fd, "\n", 1) != 1) {
  }
  close(fd);
}

/* ---- a minimal protobuf scan ---- */

static int read_varint(const uint8_t *p, size_t len, size_t *at, uint64_t *value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *at < len; shift += 7) {
    uint8_t b = p[(*at)++];
    v |= (uint64_t)(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *value = v;
      return 1;
    }
  }
  return 0;
}

/*
 * The varint (wire type 0) or the bytes (wire type 2) of field `number` in
 * a message: 1 when found. Skips everything else.
 */
static int find_field(const uint8_t *p, size_t len, uint32_t number, uint64_t *varint, const uint8_t **bytes, size_t *bytes_len) {
  size_t at = 0;
  while (at < len) {
    uint64_t key, v;
    if (!read_varint(p, len, &at, &key)) return 0;
    uint32_t wire = key & 7, field = (uint32_t)(key >> 3);
    if (wire == 0) {
      if (!read_varint(p, len, &at, &v)) return 0;
      if (field == number && varint != NULL) {
        *varint = v;
        return 1;
      }
    } else if (wire == 2) {
      if (!read_varint(p, len, &at, &v) || v > len - at) return 0;
      if (field == number && bytes != NULL) {
        *bytes = p + at;
        *bytes_len = (size_t)v;
        return 1;
      }
      at += (size_t)v;
    } else if (wire == 1) {
      at += 8;
    } else if (wire == 5) {
      at += 4;
    } else {
      return 0;
    }
  }
  return 0;
}

/* The bridge_token of a guest request: field 3 (varint, tag 0x18) of the AbiFrame's payload (field 3). 0 when absent. */
static uint64_t request_token(const uint8_t *req, size_t len) {
  const uint8_t *payload;
  size_t payload_len;
  uint64_t token = 0;
  if (req == NULL || !find_field(req, len, 3, NULL, &payload, &payload_len)) return 0;
  find_field(payload, payload_len, 3, &token, NULL, NULL);
  return token;
}

/* The status (field 2) of an encoded AbiReply, as an int32 (0 when absent). */
static int32_t reply_status(const uint8_t *reply, size_t len) {
  uint64_t status = 0;
  if (reply != NULL) find_field(reply, len, 2, &status, NULL, NULL);
  return (int32_t)(uint32_t)status;
}

/* ---- the host, as the guest reaches it ---- */

static int32_t host_invoke(uint64_t token, const uint8_t *frame, size_t len, uint8_t **out, size_t *out_len) {
#ifdef GEN2
  return vt->invoke(token, frame, len, out, out_len);
#else
  (void)token;
  return vt->invoke(frame, len, out, out_len);
#endif
}

/* One HOST_CALL: invoke's return code, the reply's status in *status (99 when there is no reply); the reply freed at once. */
static int32_t ping(uint64_t token, int32_t *status) {
  uint8_t *out = NULL;
  size_t out_len = 0;
  int32_t rc = host_invoke(token, PING_FRAME, sizeof PING_FRAME, &out, &out_len);
  *status = 99;
  if (rc == SUCCESS) {
    *status = reply_status(out, out_len);
    if (out != NULL) vt->free_host_buf(out, out_len);
  }
  return rc;
}

/* ---- replies ---- */

/* A hand-encoded AbiReply: 08 01 (abi_version 1), status 0 (omitted, as prost does), 1a <len> <text>. */
static int32_t reply_text(const char *text, uint8_t **resp_out, size_t *resp_len_out) {
  size_t n = strlen(text);
  uint8_t *buf = malloc(n + 16);
  if (buf == NULL) return GENERIC_ERROR;
  size_t at = 0;
  buf[at++] = 0x08;
  buf[at++] = 0x01;
  buf[at++] = 0x1a;
  size_t v = n;
  while (v >= 0x80) {
    buf[at++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  buf[at++] = (uint8_t)v;
  memcpy(buf + at, text, n);
  *resp_out = buf;
  *resp_len_out = at + n;
  return SUCCESS;
}

/* ---- guest threads ---- */

struct thread_call {
  uint64_t token;
  int32_t rc, status;
};

/* "join-invoke": one HOST_CALL from a thread the guest created. */
static void *call_from_thread(void *arg) {
  struct thread_call *call = arg;
  call->rc = ping(call->token, &call->status);
  return NULL;
}

/* "late-invoke": sleeps, then calls the host (by then the host has closed the guest) and records what invoke returned. */
static void *late_call(void *arg) {
  uint64_t token = (uint64_t)(uintptr_t)arg;
  sleep_for(sleep_ms);
  uint8_t *out = NULL;
  size_t out_len = 0;
  int32_t rc = host_invoke(token, PING_FRAME, sizeof PING_FRAME, &out, &out_len);
  char line[128];
  snprintf(line, sizeof line, "late_invoke_rc=%d", rc);
  record(line);
  if (rc == SUCCESS && out != NULL) vt->free_host_buf(out, out_len);
#ifdef GEN2
  vt->release_context(token);
#endif
  return NULL;
}

/* ---- the exports ---- */

__attribute__((visibility("default"))) int32_t actr_init(const HostVTable *vtable, const uint8_t *init, size_t init_len) {
  (void)init;
  (void)init_len;
  if (vtable == NULL) return INIT_FAILED;
  const char *m = getenv("HOSTILE_MODE");
  snprintf(mode, sizeof mode, "%s", m != NULL && *m != '\0' ? m : "echo");
  sleep_ms = env_long("HOSTILE_SLEEP_MS", 300);
  invoke_count = env_long("HOSTILE_COUNT", 20);
  const char *out = getenv("HOSTILE_OUT");
  snprintf(out_path, sizeof out_path, "%s", out != NULL ? out : "");
  vt = vtable;

  if (is_mode("segv-second-init")) {
    /* The environment is the process's: the second image initialised in this process crashes (a real fault, not raise()). */
    if (getenv("HOSTILE_INITIALISED_ONCE") != NULL) *(volatile int *)0 = 1;
    setenv("HOSTILE_INITIALISED_ONCE", "1", 1);
  }
  if (is_mode("init-invoke")) init_rc = ping(0, &init_status); /* a HOST_CALL from inside actr_init */
  return SUCCESS;
}

__attribute__((visibility("default"))) int32_t actr_handle(const uint8_t *req, size_t req_len, uint8_t **resp_out, size_t *resp_len_out) {
  if (vt == NULL) return INIT_FAILED;
  if (resp_out == NULL || resp_len_out == NULL) return PROTOCOL_ERROR;
  uint64_t token = request_token(req, req_len);
  char text[1024];

  if (is_mode("huge-frame")) {
    /* 15 readable bytes right before a page the process cannot read: reading past them faults. */
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) return GENERIC_ERROR;
    mprotect(pages + page, page, PROT_NONE);
    uint8_t *frame = pages + page - 15;
    memcpy(frame, PING_FRAME, 15);
    uint8_t *out = NULL;
    size_t out_len = 0;
    int32_t big = host_invoke(token, frame, 20u << 20, &out, &out_len); /* claims 20 MiB */
    int32_t huge = host_invoke(token, frame, (size_t)1 << 40, &out, &out_len); /* claims 2^40 bytes */
    int32_t status;
    int32_t after = ping(token, &status);
    munmap(pages, 2 * page);
    snprintf(text, sizeof text, "big=%d huge=%d ping=%d status=%d", big, huge, after, status);
    return reply_text(text, resp_out, resp_len_out);
  }
  if (is_mode("init-invoke")) {
    snprintf(text, sizeof text, "init_rc=%d status=%d", init_rc, init_status);
    return reply_text(text, resp_out, resp_len_out);
  }
  if (is_mode("late-invoke")) {
#ifdef GEN2
    vt->retain_context(token); /* the thread's context holds the call's token */
#endif
    pthread_t thread;
    if (pthread_create(&thread, NULL, late_call, (void *)(uintptr_t)token) != 0) return GENERIC_ERROR;
    pthread_detach(thread);
    return reply_text("spawned", resp_out, resp_len_out);
  }
  if (is_mode("join-invoke")) {
    struct thread_call call = {token, 99, 99};
    pthread_t thread;
    if (pthread_create(&thread, NULL, call_from_thread, &call) != 0) return GENERIC_ERROR;
    pthread_join(thread, NULL); /* actr_handle waits while its thread calls the host */
    snprintf(text, sizeof text, "rc=%d status=%d", call.rc, call.status);
    return reply_text(text, resp_out, resp_len_out);
  }
  if (is_mode("no-free")) {
    /* invoke_count HOST_CALLs, never calling free_host_buf: "0,0,...,-4". */
    size_t at = 0;
    for (long i = 0; i < invoke_count && at + 16 < sizeof text; i++) {
      uint8_t *out = NULL;
      size_t out_len = 0;
      int32_t rc = host_invoke(token, PING_FRAME, sizeof PING_FRAME, &out, &out_len);
      at += (size_t)snprintf(text + at, sizeof text - at, "%s%d", i == 0 ? "" : ",", rc);
    }
    return reply_text(text, resp_out, resp_len_out);
  }
  if (is_mode("sleep")) {
    sleep_for(sleep_ms);
    return reply_text("slept", resp_out, resp_len_out);
  }
  if (is_mode("invoke-once")) {
    long started = now_ms();
    int32_t status;
    int32_t rc = ping(token, &status);
    snprintf(text, sizeof text, "rc=%d status=%d ms=%ld", rc, status, now_ms() - started);
    return reply_text(text, resp_out, resp_len_out);
  }
  if (is_mode("null-reply")) {
    /* SUCCESS, no reply buffer, yet a length. */
    *resp_out = NULL;
    *resp_len_out = 5;
    return SUCCESS;
  }
  if (is_mode("huge-reply")) {
    /* SUCCESS with a reply of 2^53 + 1 bytes (not a double: 2^53 + 1 rounds to 2^53). */
    *resp_out = static_reply;
    *resp_len_out = ((size_t)1 << 53) + 1;
    return SUCCESS;
  }
  if (is_mode("bad-invoke-args")) {
    uint8_t *out = NULL;
    size_t out_len = 0;
    int32_t null_frame = host_invoke(token, NULL, 10, &out, &out_len);
    int32_t null_out = host_invoke(token, PING_FRAME, sizeof PING_FRAME, NULL, &out_len);
    int32_t null_len = host_invoke(token, PING_FRAME, sizeof PING_FRAME, &out, NULL);
    snprintf(text, sizeof text, "null_frame=%d null_out=%d null_len=%d", null_frame, null_out, null_len);
    return reply_text(text, resp_out, resp_len_out);
  }
  if (is_mode("bad-free")) {
    /* Gives back a "host buffer" the host never handed out. */
    vt->free_host_buf((uint8_t *)(uintptr_t)0x1000, 8);
    return reply_text("freed", resp_out, resp_len_out);
  }
  if (is_mode("hang")) {
    for (;;) pause(); /* never returns */
  }
  if (is_mode("segv-handle")) {
    *(volatile int *)0 = 1; /* a real fault */
    return GENERIC_ERROR;
  }
  return reply_text("ok", resp_out, resp_len_out); /* "echo", and any other mode */
}

__attribute__((visibility("default"))) void actr_free_response(uint8_t *ptr, size_t len) {
  if (is_mode("huge-reply")) {
    char line[64];
    snprintf(line, sizeof line, "free_response_len=%zu", len);
    record(line);
  }
  if (ptr == NULL || len == 0 || ptr == static_reply) return;
  free(ptr);
}

#ifdef GEN2
/* Generation 2 is told by this export. Nothing to stop: the "late-invoke" thread is left running on purpose. */
__attribute__((visibility("default"))) int32_t actr_shutdown(void) { return SUCCESS; }
#endif
