/* Test driver for mmapvec.h: prints a file's header and every committed element, floating-point
 * values as their raw bits, so the Java test compares them with what it wrote. With a second
 * argument it refreshes after reading a line from stdin and prints again.
 *
 * Output: "ERROR <REASON> <message>" and exit 1, or
 *   MAGIC m / VERSION a.b.c / TYPE t / SIZE n / FIELD name type offset ... / LENGTH n / rows
 */
#define MMAPVEC_IMPLEMENTATION
#include "../mmapvec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void print_value(mmapvec_type type, const unsigned char *p) {
  switch (type) {
    case MMAPVEC_BYTE: { int8_t v; memcpy(&v, p, 1); printf("%d", v); break; }
    case MMAPVEC_BOOLEAN: printf("%d", p[0] ? 1 : 0); break;
    case MMAPVEC_SHORT: { int16_t v; memcpy(&v, p, 2); printf("%d", v); break; }
    case MMAPVEC_CHAR: { uint16_t v; memcpy(&v, p, 2); printf("%u", (unsigned) v); break; }
    case MMAPVEC_INT: { int32_t v; memcpy(&v, p, 4); printf("%" PRId32, v); break; }
    case MMAPVEC_FLOAT: { uint32_t v; memcpy(&v, p, 4); printf("%" PRIu32, v); break; }
    case MMAPVEC_LONG: { int64_t v; memcpy(&v, p, 8); printf("%" PRId64, v); break; }
    case MMAPVEC_DOUBLE: { uint64_t v; memcpy(&v, p, 8); printf("%" PRIu64, v); break; }
    case MMAPVEC_STRUCT: break;
  }
}

static void dump(const mmapvec_reader *r) {
  uint64_t i;
  uint32_t f;
  printf("MAGIC %s\nVERSION %u.%u.%u\nTYPE %s\nSIZE %u\n", r->magic, r->data_version[0],
         r->data_version[1], r->data_version[2], mmapvec_type_name(r->type),
         (unsigned) r->element_size);
  for (f = 0; f < r->field_count; f++) {
    printf("FIELD %s %s %u\n", r->fields[f].name, mmapvec_type_name(r->fields[f].type),
           (unsigned) r->fields[f].offset);
  }
  printf("LENGTH %llu\n", (unsigned long long) r->length);
  for (i = 0; i < r->length; i++) {
    const unsigned char *e = (const unsigned char *) mmapvec_element(r, i);
    if (r->type != MMAPVEC_STRUCT) {
      print_value(r->type, e);
    } else {
      for (f = 0; f < r->field_count; f++) {
        if (f > 0) putchar(' ');
        print_value(r->fields[f].type, e + r->fields[f].offset);
      }
    }
    putchar('\n');
  }
}

int main(int argc, char **argv) {
  mmapvec_reader r;
  mmapvec_status s;
  mmapvec_expect expect;
  memset(&expect, 0, sizeof expect);
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [MAGIC]\n", argv[0]);
    return 2;
  }
  if (argc > 2) expect.magic = argv[2];
  s = mmapvec_open(&r, argv[1], &expect);
  if (s != MMAPVEC_OK) {
    printf("ERROR %s %s\n", mmapvec_status_name(s), r.message);
    return 1;
  }
  dump(&r);
  mmapvec_close(&r);
  mmapvec_close(&r); /* twice is fine */
  return 0;
}
