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
  const unsigned char *data; /* element 0, or NULL when nothing is mapped */
  void *map_base;
  size_t map_length;
  int error_number;  /* errno of the last MMAPVEC_IO_ERROR */
  char message[1024]; /* what the last failing call found, naming the file */
} mmapvec_reader;

/* Opens path read-only, takes the reader locks, checks the header and maps the elements. On
 * failure nothing stays open and r->message explains. expect may be NULL. */
mmapvec_status mmapvec_open(mmapvec_reader *r, const char *path, const mmapvec_expect *expect);

/* Reads the newest commit again; on success r->length and r->data cover it. */
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
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37 /* Linux >= 3.15, the same on x86_64 and aarch64 */
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define MMAPVEC_HEADER_BYTES 12288u
#define MMAPVEC_SLOT_BYTES 64u

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

/* The reader locks of a read-only open: a shared OFD lock on the whole file and a shared flock,
 * as the Java library's read-only open takes them. A writer's exclusive locks refuse both. */
static mmapvec_status mmapvec_lock_(mmapvec_reader *r) {
  struct flock lock;
  memset(&lock, 0, sizeof lock);
  lock.l_type = F_RDLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0; /* to the end, however far the file grows */
  while (fcntl(r->fd, F_OFD_SETLK, &lock) != 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) {
      return mmapvec_fail_(r, MMAPVEC_LOCKED, "a writer holds the file (its fcntl lock excludes readers)");
    }
    return mmapvec_io_(r, "fcntl(F_OFD_SETLK)");
  }
  while (flock(r->fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return mmapvec_fail_(r, MMAPVEC_LOCKED, "a writer holds the file (its flock excludes readers)");
    }
    return mmapvec_io_(r, "flock");
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

/* A valid slot: checksum matches and 1 <= sequence < 2^63. */
static int mmapvec_slot_(const unsigned char *slot, uint64_t *sequence, uint64_t *length) {
  *sequence = mmapvec_u64_(slot);
  *length = mmapvec_u64_(slot + 8);
  return *sequence >= 1 && *sequence < ((uint64_t) 1 << 63) &&
         mmapvec_u32_(slot + 60) == mmapvec_crc32c(0, slot, 60);
}

/* Steps k and l: the newer valid slot, whose elements must lie inside the file; then the map. */
static mmapvec_status mmapvec_commit_(mmapvec_reader *r, const unsigned char *slot0,
                                      const unsigned char *slot1, uint64_t file_size) {
  uint64_t seq0, len0, seq1, len1, sequence, length;
  int ok0 = mmapvec_slot_(slot0, &seq0, &len0);
  int ok1 = mmapvec_slot_(slot1, &seq1, &len1);
  if (!ok0 && !ok1) {
    return mmapvec_fail_(r, MMAPVEC_CHECKSUM_MISMATCH, "neither commit slot is valid: the header is damaged");
  }
  if (ok1 && (!ok0 || seq1 > seq0)) {
    sequence = seq1;
    length = len1;
  } else {
    sequence = seq0;
    length = len0;
  }
  if (length > (file_size - MMAPVEC_DATA_OFFSET) / r->element_size) {
    return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the committed size %llu does not fit in a file of %llu bytes",
                         (unsigned long long) length, (unsigned long long) file_size);
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
  r->sequence = sequence;
  r->length = length;
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
  if (s == MMAPVEC_OK) s = mmapvec_commit_(r, h + mmapvec_slot_offsets_[0], h + mmapvec_slot_offsets_[1], file_size);
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
  unsigned char slots[2][MMAPVEC_SLOT_BYTES];
  uint64_t file_size = 0;
  mmapvec_status s;
  int k;
  if (r->fd < 0) return mmapvec_fail_(r, MMAPVEC_IO_ERROR, "the reader is closed");
  s = mmapvec_file_size_(r, &file_size);
  if (s != MMAPVEC_OK) return s;
  for (k = 0; k < 2; k++) {
    if (mmapvec_pread_all_(r->fd, slots[k], MMAPVEC_SLOT_BYTES, (off_t) mmapvec_slot_offsets_[k]) !=
        MMAPVEC_SLOT_BYTES) {
      return mmapvec_fail_(r, MMAPVEC_TRUNCATED, "the file no longer holds its commit slots");
    }
  }
  return mmapvec_commit_(r, slots[0], slots[1], file_size);
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
