/*
 * mmapvec.h: a single-header, read-only reader of mmapvec vector files, for C99, C++ and (through
 * bindgen) Rust. No dependency beyond POSIX and Linux.
 *
 * The header is checked as the Java library's open checks it (docs/FORMAT.md, steps a to l):
 * signature, magic, byte order, format version, data offset, data version, element layout,
 * CRC32C checksums, the newer valid commit slot, and that the committed elements lie inside the
 * file. The elements are then mapped read-only; element i is at mmapvec_element(r, i).
 *
 * Use: in exactly one C or C++ file, define MMAPVEC_IMPLEMENTATION and include this header before
 * any other header (the implementation needs the POSIX declarations it asks for):
 *
 *     #define MMAPVEC_IMPLEMENTATION
 *     #include "mmapvec.h"
 *
 * Elsewhere include it plainly for the declarations. Errors are an enum whose names are the Java
 * library's VecFormatException reasons; mmapvec_status_name() and mmapvec_strerror() give text, and
 * r->message says what was found and what was expected.
 *
 * Threads: a reader is not thread-safe; use one per thread or lock around it. Licensed under the
 * Apache License 2.0, like the rest of mmapvec.
 */
#ifndef MMAPVEC_H
#define MMAPVEC_H

#ifdef MMAPVEC_IMPLEMENTATION
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* pread, mmap, flock, F_OFD_SETLK */
#endif
#endif

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a call found; the names after MMAPVEC_ are the Java library's reasons. */
typedef enum mmapvec_status {
  MMAPVEC_OK = 0,
  MMAPVEC_NOT_A_MMAPVEC_FILE = 1,
  MMAPVEC_MAGIC_MISMATCH = 2,
  MMAPVEC_BAD_BYTE_ORDER_MARKER = 3,
  MMAPVEC_BYTE_ORDER_MISMATCH = 4,
  MMAPVEC_UNSUPPORTED_FORMAT_VERSION = 5,
  MMAPVEC_BAD_DATA_OFFSET = 6,
  MMAPVEC_DATA_VERSION_MISMATCH = 7,
  MMAPVEC_ELEMENT_TYPE_MISMATCH = 8,
  MMAPVEC_TRUNCATED = 9,
  MMAPVEC_CHECKSUM_MISMATCH = 10,
  MMAPVEC_LOCKED = 11,             /* a writer holds the file and excludes readers */
  MMAPVEC_NOT_A_REGULAR_FILE = 12, /* a directory, FIFO, device, ... */
  MMAPVEC_IO_ERROR = 13            /* a system call failed: r->error_number holds errno */
} mmapvec_status;

/* Element and field type codes, as stored in the header. */
typedef enum mmapvec_type {
  MMAPVEC_BYTE = 1,    /* int8_t */
  MMAPVEC_SHORT = 2,   /* int16_t */
  MMAPVEC_CHAR = 3,    /* uint16_t, a UTF-16 code unit */
  MMAPVEC_INT = 4,     /* int32_t */
  MMAPVEC_LONG = 5,    /* int64_t */
  MMAPVEC_FLOAT = 6,   /* float */
  MMAPVEC_DOUBLE = 7,  /* double */
  MMAPVEC_BOOLEAN = 8, /* one byte, 0 or 1 */
  MMAPVEC_STRUCT = 16  /* a record of the above, described by fields[] */
} mmapvec_type;

#define MMAPVEC_MAX_FIELDS 84
#define MMAPVEC_DATA_OFFSET 65536

/* One field of a record element. */
typedef struct mmapvec_field {
  char name[32];     /* NUL-terminated UTF-8 */
  mmapvec_type type; /* a primitive type */
  uint32_t offset;   /* byte offset inside the element */
} mmapvec_field;

/* What must match, when the caller knows; NULL or zeroed members mean "any". */
typedef struct mmapvec_expect {
  const char *magic;        /* 8 ASCII characters, or NULL */
  int check_data_version;   /* non-zero: the three numbers below must match */
  uint16_t data_version[3]; /* major, minor, patch */
} mmapvec_expect;

/* An open reader. Read the members; change none of them. */
typedef struct mmapvec_reader {
  int fd;
  char magic[9];            /* NUL-terminated */
  uint16_t data_version[3]; /* major, minor, patch */
  uint16_t format_version;
  mmapvec_type type;
  uint32_t element_size;
  uint32_t element_alignment;
  uint32_t field_count; /* 0 for primitives */
  mmapvec_field fields[MMAPVEC_MAX_FIELDS];
  int64_t created_millis;
  uint64_t sequence; /* of the commit in view */
  uint64_t length;   /* committed elements in view: fixed until mmapvec_refresh */
  uint64_t rewrites; /* the writer's count of commits that changed elements below the size
                        before them: if it differs after mmapvec_refresh, elements below the old
                        length may have changed; if equal, only [old length, length) is new */
  const unsigned char *data; /* element 0, or NULL when nothing is mapped */
  void *map_base;
  size_t map_length;
  int error_number;  /* errno of the last MMAPVEC_IO_ERROR */
  char message[1024]; /* what the last failing call found, naming the file */
} mmapvec_reader;

/* Opens path read-only, takes the reader locks, checks the header and maps the elements. On
 * failure nothing stays open and r->message explains. expect may be NULL. */
mmapvec_status mmapvec_open(mmapvec_reader *r, const char *path, const mmapvec_expect *expect);

/* Moves to the newest durable commit of a live writer (never back to an older one); on success
 * r->length and r->data cover it. Two small reads when nothing changed. */
mmapvec_status mmapvec_refresh(mmapvec_reader *r);

/* Unmaps and closes (the locks go with the descriptor). Safe to call twice. */
void mmapvec_close(mmapvec_reader *r);

/* Element i (i < r->length): r->data + i * r->element_size. */
const void *mmapvec_element(const mmapvec_reader *r, uint64_t i);

/* The Java library's name of a status ("TRUNCATED", ...), and a sentence about it. */
const char *mmapvec_status_name(mmapvec_status status);
const char *mmapvec_strerror(mmapvec_status status);

/* The name of a type code ("long", "struct", ...), or NULL for an unknown code. */
const char *mmapvec_type_name(int type_code);

/* CRC32C (Castagnoli) of n bytes, continuing from crc (0 to start). */
uint32_t mmapvec_crc32c(uint32_t crc, const void *bytes, size_t n);

#ifdef __cplusplus
}
#endif

#ifdef MMAPVEC_IMPLEMENTATION

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <time.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36 /* Linux >= 3.15, the same on x86_64 and aarch64 */
#endif
#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define MMAPVEC_HEADER_BYTES 12288u
#define MMAPVEC_SLOT_BYTES 64u
/* Live readers (docs/FORMAT.md, "Live readers"): bytes that format v1 reserves. */
#define MMAPVEC_PUBLISHED_SEQUENCE 12288 /* u64 P: the newest commit a live writer published */
#define MMAPVEC_WRITER_BYTE 16384        /* W: the writer's lock byte */
#define MMAPVEC_READER_BYTE 16385        /* R: every live reader's lock byte, shared */
#define MMAPVEC_SLOT_REWRITES 24         /* u64 in a slot */

static const size_t mmapvec_slot_offsets_[2] = {4096u, 8192u};

const char *mmapvec_status_name(mmapvec_status status) {
  switch (status) {
    case MMAPVEC_OK: return "OK";
    case MMAPVEC_NOT_A_MMAPVEC_FILE: return "NOT_A_MMAPVEC_FILE";
    case MMAPVEC_MAGIC_MISMATCH: return "MAGIC_MISMATCH";
    case MMAPVEC_BAD_BYTE_ORDER_MARKER: return "BAD_BYTE_ORDER_MARKER";
    case MMAPVEC_BYTE_ORDER_MISMATCH: return "BYTE_ORDER_MISMATCH";
    case MMAPVEC_UNSUPPORTED_FORMAT_VERSION: return "UNSUPPORTED_FORMAT_VERSION";
    case MMAPVEC_BAD_DATA_OFFSET: return "BAD_DATA_OFFSET";
    case MMAPVEC_DATA_VERSION_MISMATCH: return "DATA_VERSION_MISMATCH";
    case MMAPVEC_ELEMENT_TYPE_MISMATCH: return "ELEMENT_TYPE_MISMATCH";
    case MMAPVEC_TRUNCATED: return "TRUNCATED";
    case MMAPVEC_CHECKSUM_MISMATCH: return "CHECKSUM_MISMATCH";
    case MMAPVEC_LOCKED: return "LOCKED";
    case MMAPVEC_NOT_A_REGULAR_FILE: return "NOT_A_REGULAR_FILE";
    case MMAPVEC_IO_ERROR: return "IO_ERROR";
  }
  return "UNKNOWN";
}

const char *mmapvec_strerror(mmapvec_status status) {
  switch (status) {
    case MMAPVEC_OK: return "success";
    case MMAPVEC_NOT_A_MMAPVEC_FILE: return "not a mmapvec file";
    case MMAPVEC_MAGIC_MISMATCH: return "the application's magic differs";
    case MMAPVEC_BAD_BYTE_ORDER_MARKER: return "the byte-order marker is damaged";
    case MMAPVEC_BYTE_ORDER_MISMATCH:
      return "the file comes from a machine of the other byte order; convert it with "
             "'mmapvec convert FILE OUT --byte-order little|big'";
    case MMAPVEC_UNSUPPORTED_FORMAT_VERSION: return "a format version this reader does not read";
    case MMAPVEC_BAD_DATA_OFFSET: return "the data offset is not 65536";
    case MMAPVEC_DATA_VERSION_MISMATCH: return "the application's data version differs";
    case MMAPVEC_ELEMENT_TYPE_MISMATCH: return "the element layout is not valid or not the one asked for";
    case MMAPVEC_TRUNCATED: return "the file is shorter than its header or its committed data";
    case MMAPVEC_CHECKSUM_MISMATCH: return "a header checksum does not match: the header is damaged";
    case MMAPVEC_LOCKED: return "a writer holds the file";
    case MMAPVEC_NOT_A_REGULAR_FILE: return "not a regular file";
    case MMAPVEC_IO_ERROR: return "a system call failed";
  }
  return "unknown status";
}

const char *mmapvec_type_name(int type_code) {
  switch (type_code) {
    case MMAPVEC_BYTE: return "byte";
    case MMAPVEC_SHORT: return "short";
    case MMAPVEC_CHAR: return "char";
    case MMAPVEC_INT: return "int";
    case MMAPVEC_LONG: return "long";
    case MMAPVEC_FLOAT: return "float";
    case MMAPVEC_DOUBLE: return "double";
    case MMAPVEC_BOOLEAN: return "boolean";
    case MMAPVEC_STRUCT: return "struct";
    default: return NULL;
  }
}

static uint32_t mmapvec_primitive_size_(int type_code) {
  switch (type_code) {
    case MMAPVEC_BYTE: case MMAPVEC_BOOLEAN: return 1;
    case MMAPVEC_SHORT: case MMAPVEC_CHAR: return 2;
    case MMAPVEC_INT: case MMAPVEC_FLOAT: return 4;
    case MMAPVEC_LONG: case MMAPVEC_DOUBLE: return 8;
    default: return 0;
  }
}

uint32_t mmapvec_crc32c(uint32_t crc, const void *bytes, size_t n) {
  static uint32_t table[256];
  static int ready = 0;
  const unsigned char *p = (const unsigned char *) bytes;
  size_t k;
  if (!ready) { /* idempotent: racing threads write the same values */
    uint32_t i;
    for (i = 0; i < 256; i++) {
      uint32_t c = i;
      int bit;
      for (bit = 0; bit < 8; bit++) c = (c >> 1) ^ ((c & 1u) ? 0x82F63B78u : 0u);
      table[i] = c;
    }
    ready = 1;
  }
  crc = ~crc;
  for (k = 0; k < n; k++) crc = table[(crc ^ p[k]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

static mmapvec_status mmapvec_fail_(mmapvec_reader *r, mmapvec_status s, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(r->message, sizeof r->message, fmt, args);
  va_end(args);
  return s;
}

static mmapvec_status mmapvec_io_(mmapvec_reader *r, const char *what) {
  r->error_number = errno;
  return mmapvec_fail_(r, MMAPVEC_IO_ERROR, "%s: %s", what, strerror(r->error_number));
}

static uint16_t mmapvec_u16_(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t mmapvec_u32_(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t mmapvec_u64_(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static size_t mmapvec_pread_all_(int fd, unsigned char *buf, size_t n, off_t at) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = pread(fd, buf + done, n - done, at + (off_t) done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += (size_t) got;
  }
  return done;
}

static void mmapvec_sleep_(long nanos) {
  struct timespec t;
  t.tv_sec = 0;
  t.tv_nsec = nanos;
  nanosleep(&t, NULL);
}

/* fcntl(F_OFD_*) on the one byte at `at`; returns 0 or -1 with errno, and fills *lock. */
static int mmapvec_ofd_(int fd, int command, short type, off_t at, struct flock *lock) {
  int result;
  memset(lock, 0, sizeof *lock);
  lock->l_type = type;
  lock->l_whence = SEEK_SET;
  lock->l_start = at;
  lock->l_len = 1;
  do {
    result = fcntl(fd, command, lock);
  } while (result != 0 && errno == EINTR);
  return result;
}

/* Whether a writer holds the writer byte W: a query, never a lock taken. */
static int mmapvec_writer_alive_(int fd) {
  struct flock lock;
  return mmapvec_ofd_(fd, F_OFD_GETLK, F_RDLCK, MMAPVEC_WRITER_BYTE, &lock) == 0 &&
         lock.l_type != F_UNLCK;
}

/* Shares the reader byte R, as every live reader does. A writer locks R only while it shrinks the
 * file: then this waits, up to 2 s. Any other conflict (an older mmapvec writer, the Java
 * FileChannel fallback, a whole-file lock) refuses the open. */
static mmapvec_status mmapvec_lock_(mmapvec_reader *r) {
  struct flock lock;
  long waited = 0, delay = 100000; /* ns */
  while (mmapvec_ofd_(r->fd, F_OFD_SETLK, F_RDLCK, MMAPVEC_READER_BYTE, &lock) != 0) {
    int shrinking;
    if (errno != EAGAIN && errno != EACCES) return mmapvec_io_(r, "fcntl(F_OFD_SETLK)");
    if (mmapvec_ofd_(r->fd, F_OFD_GETLK, F_RDLCK, MMAPVEC_READER_BYTE, &lock) != 0) {
      return mmapvec_io_(r, "fcntl(F_OFD_GETLK)");
    }
    shrinking = lock.l_type != F_UNLCK && lock.l_start == MMAPVEC_READER_BYTE && lock.l_len == 1;
    if (lock.l_type == F_UNLCK) continue; /* released meanwhile */
    if (!shrinking) {
      return mmapvec_fail_(r, MMAPVEC_LOCKED,
                           "a writer holds the file and excludes readers (an older mmapvec, the "
                           "FileChannel fallback, or a whole-file lock)");
    }
    if (waited > 2000000000L) {
      return mmapvec_fail_(r, MMAPVEC_LOCKED, "the writer has been shrinking the file for 2 s");
    }
    mmapvec_sleep_(delay);
    waited += delay;
    if (delay < 10000000L) delay *= 2;
  }
  return MMAPVEC_OK;
}

static mmapvec_status mmapvec_check_layout_(mmapvec_reader *r, const unsigned char *h) {
  uint32_t i;
  int code = h[30];
  if (mmapvec_type_name(code) == NULL) {
    return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH, "element type code %d is unknown", code);
  }
  r->type = (mmapvec_type) code;
  r->element_size = mmapvec_u32_(h + 32);
  r->element_alignment = mmapvec_u32_(h + 36);
  r->field_count = mmapvec_u32_(h + 40);
  if (r->element_alignment != 1 && r->element_alignment != 2 && r->element_alignment != 4 &&
      r->element_alignment != 8) {
    return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH, "element alignment %u is not 1, 2, 4 or 8",
                         (unsigned) r->element_alignment);
  }
  if (r->element_size < 1 || r->element_size % r->element_alignment != 0) {
    return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH,
                         "element size %u is not a positive multiple of its alignment %u",
                         (unsigned) r->element_size, (unsigned) r->element_alignment);
  }
  if (code != MMAPVEC_STRUCT) {
    uint32_t own = mmapvec_primitive_size_(code);
    if (r->element_size != own || r->element_alignment != own || r->field_count != 0) {
      return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH,
                           "a %s element has size %u, alignment %u and no fields; the header says "
                           "%u, %u, %u", mmapvec_type_name(code), (unsigned) own, (unsigned) own,
                           (unsigned) r->element_size, (unsigned) r->element_alignment,
                           (unsigned) r->field_count);
    }
    return MMAPVEC_OK;
  }
  if (r->field_count < 1 || r->field_count > MMAPVEC_MAX_FIELDS) {
    return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH, "a record has 1 to %d fields; the header says %u",
                         MMAPVEC_MAX_FIELDS, (unsigned) r->field_count);
  }
  for (i = 0; i < r->field_count; i++) {
    const unsigned char *e = h + 64 + 48 * i;
    size_t len = 0, k;
    uint32_t width;
    while (len < 32 && e[len] != 0) len++;
    for (k = len; k < 32; k++) {
      if (e[k] != 0) len = 32; /* a byte after the terminator: not NUL padding */
    }
    if (len < 1 || len > 31) {
      return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH,
                           "field %u has no valid name (1 to 31 bytes, then NUL padding)", (unsigned) i);
    }
    memcpy(r->fields[i].name, e, 32);
    width = mmapvec_primitive_size_(e[32]);
    if (width == 0) {
      return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH, "field %u ('%s') has type code %d, not a primitive",
                           (unsigned) i, r->fields[i].name, e[32]);
    }
    r->fields[i].type = (mmapvec_type) e[32];
    r->fields[i].offset = mmapvec_u32_(e + 36);
    if ((uint64_t) r->fields[i].offset + width > r->element_size) {
      return mmapvec_fail_(r, MMAPVEC_ELEMENT_TYPE_MISMATCH,
                           "field %u ('%s') at offset %u does not fit in an element of %u bytes",
                           (unsigned) i, r->fields[i].name, (unsigned) r->fields[i].offset,
                           (unsigned) r->element_size);
    }
  }
  return MMAPVEC_OK;
}

/* Steps a to j of docs/FORMAT.md on the first header bytes. */
static mmapvec_status mmapvec_check_identity_(mmapvec_reader *r, const unsigned char *h, size_t got,
                                             uint64_t file_size, const mmapvec_expect *expect) {
  mmapvec_status s;
  uint16_t marker;
  uint32_t stored, actual, data_offset;
  int k;
  if (got < 16 || file_size < 16) {
    return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the file has %llu bytes, a header needs %d",
                         (unsigned long long) file_size, MMAPVEC_DATA_OFFSET);
  }
  if (memcmp(h + 8, "mmapvec\0", 8) != 0) {
    return mmapvec_fail_(r, MMAPVEC_NOT_A_MMAPVEC_FILE, "no mmapvec signature at byte 8");
  }
  memcpy(r->magic, h, 8);
  r->magic[8] = '\0';
  if (expect != NULL && expect->magic != NULL && memcmp(h, expect->magic, 8) != 0) {
    return mmapvec_fail_(r, MMAPVEC_MAGIC_MISMATCH, "magic is '%.8s', expected '%.8s'", r->magic,
                         expect->magic);
  }
  if (file_size < MMAPVEC_DATA_OFFSET || got < MMAPVEC_HEADER_BYTES) {
    return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the file has %llu bytes, a header needs %d",
                         (unsigned long long) file_size, MMAPVEC_DATA_OFFSET);
  }
  marker = mmapvec_u16_(h + 16);
  if (marker == 0x3412) {
    return mmapvec_fail_(r, MMAPVEC_BYTE_ORDER_MISMATCH,
                         "the file comes from a machine of the other byte order: convert it with "
                         "'mmapvec convert FILE OUT --byte-order' and this machine's order");
  }
  if (marker != 0x1234) {
    return mmapvec_fail_(r, MMAPVEC_BAD_BYTE_ORDER_MARKER, "byte-order marker is 0x%04x, expected 0x1234",
                         (unsigned) marker);
  }
  r->format_version = mmapvec_u16_(h + 18);
  if (r->format_version != 1) {
    return mmapvec_fail_(r, MMAPVEC_UNSUPPORTED_FORMAT_VERSION, "format version is %u, this reader reads 1",
                         (unsigned) r->format_version);
  }
  data_offset = mmapvec_u32_(h + 20);
  if (data_offset != MMAPVEC_DATA_OFFSET) {
    return mmapvec_fail_(r, MMAPVEC_BAD_DATA_OFFSET, "data offset is %u, expected %d", (unsigned) data_offset,
                         MMAPVEC_DATA_OFFSET);
  }
  for (k = 0; k < 3; k++) r->data_version[k] = mmapvec_u16_(h + 24 + 2 * k);
  if (expect != NULL && expect->check_data_version &&
      memcmp(r->data_version, expect->data_version, sizeof r->data_version) != 0) {
    return mmapvec_fail_(r, MMAPVEC_DATA_VERSION_MISMATCH, "data version is %u.%u.%u, expected %u.%u.%u",
                         (unsigned) r->data_version[0], (unsigned) r->data_version[1],
                         (unsigned) r->data_version[2], (unsigned) expect->data_version[0],
                         (unsigned) expect->data_version[1], (unsigned) expect->data_version[2]);
  }
  s = mmapvec_check_layout_(r, h);
  if (s != MMAPVEC_OK) return s;
  memcpy(&r->created_millis, h + 48, 8);
  stored = mmapvec_u32_(h + 60);
  actual = mmapvec_crc32c(mmapvec_crc32c(0, h, 60), h + 64, 48u * r->field_count);
  if (stored != actual) {
    return mmapvec_fail_(r, MMAPVEC_CHECKSUM_MISMATCH,
                         "identity checksum is 0x%08x, the bytes give 0x%08x: the header is damaged",
                         (unsigned) stored, (unsigned) actual);
  }
  for (k = 0; k < 8; k++) {
    if (h[k] < 0x20 || h[k] > 0x7E) {
      return mmapvec_fail_(r, MMAPVEC_MAGIC_MISMATCH, "the magic is not 8 printable ASCII characters");
    }
  }
  return MMAPVEC_OK;
}

/* A parsed commit slot. */
typedef struct mmapvec_slot_ {
  int valid;
  uint64_t sequence, length, rewrites;
} mmapvec_slot_;

/* A slot read twice until both copies agree (a writer may be rewriting it), then parsed: valid
 * when its checksum matches and 1 <= sequence < 2^63. */
static mmapvec_slot_ mmapvec_stable_slot_(int fd, size_t at) {
  mmapvec_slot_ s;
  unsigned char a[MMAPVEC_SLOT_BYTES], b[MMAPVEC_SLOT_BYTES];
  int tries;
  memset(&s, 0, sizeof s);
  for (tries = 0; tries < 8; tries++) {
    if (mmapvec_pread_all_(fd, a, sizeof a, (off_t) at) != sizeof a) return s;
    if (mmapvec_pread_all_(fd, b, sizeof b, (off_t) at) != sizeof b) return s;
    if (memcmp(a, b, sizeof a) == 0) {
      s.sequence = mmapvec_u64_(a);
      s.length = mmapvec_u64_(a + 8);
      s.rewrites = mmapvec_u64_(a + MMAPVEC_SLOT_REWRITES);
      s.valid = s.sequence >= 1 && s.sequence < ((uint64_t) 1 << 63) &&
                mmapvec_u32_(a + 60) == mmapvec_crc32c(0, a, 60);
      return s;
    }
  }
  return s;
}

/* Of two slots, the valid one with the higher sequence not above at_most (slot 0 on a tie). */
static const mmapvec_slot_ *mmapvec_newest_(const mmapvec_slot_ *s0, const mmapvec_slot_ *s1,
                                            uint64_t at_most) {
  int ok0 = s0->valid && s0->sequence <= at_most, ok1 = s1->valid && s1->sequence <= at_most;
  if (ok1 && (!ok0 || s1->sequence > s0->sequence)) return s1;
  return ok0 ? s0 : NULL;
}

/* The newest commit a reader may see: one whose slot is durable (docs/FORMAT.md, "Live
 * readers"). *found is 0 when nothing new can be told yet (a writer is committing right now). */
static mmapvec_status mmapvec_choose_(mmapvec_reader *r, mmapvec_slot_ *chosen, int *found) {
  long delay = 20000; /* ns */
  int attempt;
  *found = 0;
  for (attempt = 0; attempt < 100; attempt++) {
    unsigned char word[8];
    uint64_t published;
    mmapvec_slot_ s0, s1;
    const mmapvec_slot_ *newest;
    if (mmapvec_pread_all_(r->fd, word, 8, MMAPVEC_PUBLISHED_SEQUENCE) != 8) {
      return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the file no longer holds its header");
    }
    published = mmapvec_u64_(word);
    s0 = mmapvec_stable_slot_(r->fd, mmapvec_slot_offsets_[0]);
    s1 = mmapvec_stable_slot_(r->fd, mmapvec_slot_offsets_[1]);
    newest = mmapvec_newest_(&s0, &s1, UINT64_MAX);
    if (newest == NULL) {
      return mmapvec_fail_(r, MMAPVEC_CHECKSUM_MISMATCH,
                           "neither commit slot is valid: the header is damaged");
    }
    if (newest->sequence <= published) { /* published after its slot was durable */
      *chosen = *newest;
      *found = 1;
      return MMAPVEC_OK;
    }
    if (mmapvec_writer_alive_(r->fd)) {
      newest = mmapvec_newest_(&s0, &s1, published);
      if (newest != NULL) {
        *chosen = *newest;
        *found = 1;
      }
      return MMAPVEC_OK;
    }
    /* No writer: the newest valid slot is the last commit of a writer that is gone, or of a file
     * written before live readers. Make it durable before trusting it. */
    if (fdatasync(r->fd) != 0) return mmapvec_io_(r, "fdatasync");
    if (!mmapvec_writer_alive_(r->fd)) {
      *chosen = *newest;
      *found = 1;
      return MMAPVEC_OK;
    }
    mmapvec_sleep_(delay);
    if (delay < 1000000L) delay *= 2;
  }
  return MMAPVEC_OK;
}

/* Adopts the chosen commit if it is newer than the one in view: step l, then the mapping. */
static mmapvec_status mmapvec_adopt_(mmapvec_reader *r, const mmapvec_slot_ *s, uint64_t file_size) {
  if (s->sequence <= r->sequence) return MMAPVEC_OK;
  if (s->length > (file_size - MMAPVEC_DATA_OFFSET) / r->element_size) {
    return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the committed size %llu does not fit in a file of %llu bytes",
                         (unsigned long long) s->length, (unsigned long long) file_size);
  }
  if (file_size > (uint64_t) SIZE_MAX) {
    return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the file is larger than this machine's address space");
  }
  if (r->map_base == NULL || r->map_length < (size_t) file_size) {
    void *base = mmap(NULL, (size_t) file_size, PROT_READ, MAP_SHARED, r->fd, 0);
    if (base == MAP_FAILED) return mmapvec_io_(r, "mmap");
    if (r->map_base != NULL) munmap(r->map_base, r->map_length);
    r->map_base = base;
    r->map_length = (size_t) file_size;
  }
  r->data = (const unsigned char *) r->map_base + MMAPVEC_DATA_OFFSET;
  r->sequence = s->sequence;
  r->length = s->length;
  r->rewrites = s->rewrites;
  return MMAPVEC_OK;
}

static mmapvec_status mmapvec_file_size_(mmapvec_reader *r, uint64_t *size) {
  struct stat st;
  if (fstat(r->fd, &st) != 0) return mmapvec_io_(r, "fstat");
  if (!S_ISREG(st.st_mode)) return mmapvec_fail_(r, MMAPVEC_NOT_A_REGULAR_FILE, "not a regular file");
  *size = (uint64_t) st.st_size;
  return MMAPVEC_OK;
}

mmapvec_status mmapvec_open(mmapvec_reader *r, const char *path, const mmapvec_expect *expect) {
  unsigned char h[MMAPVEC_HEADER_BYTES];
  mmapvec_status s;
  uint64_t file_size = 0;
  size_t got;
  memset(r, 0, sizeof *r);
  r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  s = r->fd < 0 ? mmapvec_io_(r, "open") : mmapvec_file_size_(r, &file_size);
  if (s == MMAPVEC_OK) s = mmapvec_lock_(r);
  if (s == MMAPVEC_OK) {
    got = mmapvec_pread_all_(r->fd, h, MMAPVEC_HEADER_BYTES, 0);
    s = mmapvec_check_identity_(r, h, got, file_size, expect);
  }
  if (s == MMAPVEC_OK) {
    mmapvec_slot_ chosen;
    int found;
    s = mmapvec_choose_(r, &chosen, &found);
    if (s == MMAPVEC_OK && !found) {
      s = mmapvec_fail_(r, MMAPVEC_LOCKED, "the writer has published no commit yet");
    }
    if (s == MMAPVEC_OK) s = mmapvec_adopt_(r, &chosen, file_size);
  }
  if (s != MMAPVEC_OK) {
    char message[sizeof r->message];
    int error_number = r->error_number;
    memcpy(message, r->message, sizeof message);
    mmapvec_close(r);
    snprintf(r->message, sizeof r->message, "%s: %.400s (%.500s)", mmapvec_status_name(s), message, path);
    r->error_number = error_number;
  }
  return s;
}

mmapvec_status mmapvec_refresh(mmapvec_reader *r) {
  unsigned char word[8];
  uint64_t file_size = 0;
  mmapvec_slot_ chosen;
  mmapvec_status s;
  int k, newer = 0, found;
  if (r->fd < 0) return mmapvec_fail_(r, MMAPVEC_IO_ERROR, "the reader is closed");
  for (k = 0; k < 2; k++) { /* the fast path: no sequence word above the one in view */
    if (mmapvec_pread_all_(r->fd, word, 8, (off_t) mmapvec_slot_offsets_[k]) != 8) {
      return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the file no longer holds its commit slots");
    }
    newer |= mmapvec_u64_(word) > r->sequence;
  }
  if (!newer) return MMAPVEC_OK;
  s = mmapvec_choose_(r, &chosen, &found);
  if (s != MMAPVEC_OK || !found) return s;
  s = mmapvec_file_size_(r, &file_size);
  return s != MMAPVEC_OK ? s : mmapvec_adopt_(r, &chosen, file_size);
}

void mmapvec_close(mmapvec_reader *r) {
  if (r->map_base != NULL) munmap(r->map_base, r->map_length);
  if (r->fd >= 0) close(r->fd);
  r->map_base = NULL;
  r->map_length = 0;
  r->data = NULL;
  r->length = 0;
  r->fd = -1;
}

const void *mmapvec_element(const mmapvec_reader *r, uint64_t i) {
  return r->data + i * r->element_size;
}

#ifdef __cplusplus
}
#endif

#endif /* MMAPVEC_IMPLEMENTATION */
#endif /* MMAPVEC_H */
