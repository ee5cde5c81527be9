/* test-output-capture.c: bounded capture of a command's output (head + tail)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-output-capture.h"
#include "cc-test-util.h"

static void
test_small_output_kept_whole (void)
{
  g_autoptr(CcOutputCapture) capture = cc_output_capture_new (0);
  g_autofree char *text = NULL;

  g_assert_cmpuint (cc_output_capture_get_max_bytes (capture), ==, 4 * 1024 * 1024);
  cc_output_capture_append (capture, "hello ", 6);
  cc_output_capture_append (capture, "world\n", 6);
  cc_output_capture_append (capture, NULL, 0);

  text = cc_output_capture_dup_text (capture);
  g_assert_cmpstr (text, ==, "hello world\n");
  g_assert_false (cc_output_capture_get_truncated (capture));
  g_assert_cmpuint (cc_output_capture_get_total_bytes (capture), ==, 12);
  g_assert_cmpuint (cc_output_capture_get_kept_bytes (capture), ==, 12);
}

static void
test_exact_fit (void)
{
  g_autoptr(CcOutputCapture) capture = cc_output_capture_new (10);
  g_autofree char *text = NULL;

  /* Exactly the budget, in pieces that straddle head and tail: nothing is left out. */
  cc_output_capture_append (capture, "0123", 4);
  cc_output_capture_append (capture, "4567", 4);
  cc_output_capture_append (capture, "89", 2);
  text = cc_output_capture_dup_text (capture);
  g_assert_cmpstr (text, ==, "0123456789");
  g_assert_false (cc_output_capture_get_truncated (capture));

  cc_output_capture_append (capture, "X", 1);
  g_assert_true (cc_output_capture_get_truncated (capture));
  g_clear_pointer (&text, g_free);
  text = cc_output_capture_dup_text (capture);
  g_assert_true (g_str_has_prefix (text, "01234\n"));
  g_assert_true (g_str_has_suffix (text, "\n6789X"));
  g_assert_nonnull (strstr (text, "1 byte"));
}

static void
test_head_and_tail (void)
{
  g_autoptr(CcOutputCapture) capture = cc_output_capture_new (1000);
  g_autofree char *text = NULL;
  g_autofree char *expected_tail = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 total = 0;

  /* 10,000 numbered lines, written in uneven chunks. */
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %05u\n", i);

      cc_output_capture_append (capture, line, strlen (line));
      total += strlen (line);
    }
  g_assert_cmpuint (cc_output_capture_get_total_bytes (capture), ==, total);
  g_assert_true (cc_output_capture_get_truncated (capture));
  g_assert_cmpuint (cc_output_capture_get_kept_bytes (capture), ==, 1000);

  text = cc_output_capture_dup_text (capture);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "line 00000\nline 00001\n"));
  g_assert_true (g_str_has_suffix (text, "line 09998\nline 09999\n"));

  /* One marker line between head and tail, saying how much was left out. */
  lines = g_strsplit (text, "\n", -1);
  {
    guint markers = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "of output left out") != NULL)
        {
          g_autofree char *omitted = g_strdup_printf ("%" G_GUINT64_FORMAT, total - 1000);
          g_autoptr(GString) digits = g_string_new (NULL);

          markers++;
          for (const char *p = lines[i]; *p; p++)
            if (g_ascii_isdigit (*p))
              g_string_append_c (digits, *p);
          g_assert_nonnull (strstr (digits->str, omitted));
        }
    g_assert_cmpuint (markers, ==, 1);
  }

  /* The tail is exactly the last 500 bytes. */
  expected_tail = g_strdup_printf ("%s", text + strlen (text) - 500);
  g_assert_cmpuint (strlen (expected_tail), ==, 500);
  g_assert_true (g_str_has_suffix (expected_tail, "line 09999\n"));
}

static void
test_large_write_in_one_piece (void)
{
  g_autoptr(CcOutputCapture) capture = cc_output_capture_new (64);
  g_autofree char *big = g_malloc (10001);
  g_autofree char *text = NULL;

  for (guint i = 0; i < 10000; i++)
    big[i] = 'a' + (i % 26);
  big[10000] = '\0';
  cc_output_capture_append (capture, big, 10000);

  text = cc_output_capture_dup_text (capture);
  g_assert_true (strncmp (text, big, 32) == 0);
  g_assert_true (g_str_has_suffix (text, big + 10000 - 32));
  g_assert_cmpuint (cc_output_capture_get_kept_bytes (capture), ==, 64);
}

static void
test_utf8_boundaries (void)
{
  g_autoptr(CcOutputCapture) capture = cc_output_capture_new (11);
  g_autofree char *text = NULL;
  const char *euro = "€";   /* three bytes */

  /* 40 euro signs: the head (5 bytes) and the tail (6 bytes) cut characters in half. */
  for (guint i = 0; i < 40; i++)
    cc_output_capture_append (capture, euro, strlen (euro));
  cc_output_capture_append (capture, "Z", 1);
  text = cc_output_capture_dup_text (capture);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "€\n"));
  g_assert_true (g_str_has_suffix (text, "\n€Z"));
  g_assert_null (strstr (text, "\xef\xbf\xbd"));   /* no U+FFFD: halves dropped cleanly */

  /* Bytes that are not UTF-8 at all still give valid text. */
  {
    g_autoptr(CcOutputCapture) binary = cc_output_capture_new (0);
    g_autofree char *rendered = NULL;
    const guint8 junk[] = { 'o', 'k', 0xff, 0xfe, '\n' };

    cc_output_capture_append (binary, junk, sizeof junk);
    rendered = cc_output_capture_dup_text (binary);
    g_assert_true (g_utf8_validate (rendered, -1, NULL));
    g_assert_true (g_str_has_prefix (rendered, "ok"));
  }
}

static void
test_memory_bounded (void)
{
  g_autoptr(CcOutputCapture) capture = cc_output_capture_new (1024 * 1024);
  g_autofree char *chunk = g_malloc (64 * 1024);
  g_autofree char *text = NULL;
  guint64 fed = 0;
  gsize before;
  gsize after;

  memset (chunk, 'x', 64 * 1024);
  chunk[64 * 1024 - 1] = '\n';

  /* Warm up to the budget, then feed 256 MiB more: what is held stays at the budget. */
  for (guint i = 0; i < 32; i++)
    {
      cc_output_capture_append (capture, chunk, 64 * 1024);
      fed += 64 * 1024;
    }
  before = cc_test_proc_status_kib (0, "VmRSS");
  for (guint i = 0; i < 4096; i++)
    {
      chunk[0] = 'a' + (i % 26);
      cc_output_capture_append (capture, chunk, 64 * 1024);
      fed += 64 * 1024;
      g_assert_cmpuint (cc_output_capture_get_kept_bytes (capture), ==, 1024 * 1024);
    }
  after = cc_test_proc_status_kib (0, "VmRSS");

  g_assert_cmpuint (cc_output_capture_get_total_bytes (capture), ==, fed);
  g_assert_true (cc_output_capture_get_truncated (capture));
  g_test_message ("RSS before %zu KiB, after 256 MiB more %zu KiB", before, after);
  /* Nothing was allocated while streaming: the resident size did not grow by more than
   * noise (far below the 256 MiB that went through). */
  g_assert_cmpuint (after, <, before + 4 * 1024);

  text = cc_output_capture_dup_text (capture);
  g_assert_cmpuint (strlen (text), <, 1024 * 1024 + 256);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/output-capture/small", test_small_output_kept_whole);
  g_test_add_func ("/core/output-capture/exact-fit", test_exact_fit);
  g_test_add_func ("/core/output-capture/head-and-tail", test_head_and_tail);
  g_test_add_func ("/core/output-capture/large-write", test_large_write_in_one_piece);
  g_test_add_func ("/core/output-capture/utf8", test_utf8_boundaries);
  g_test_add_func ("/core/output-capture/memory-bounded", test_memory_bounded);

  return g_test_run ();
}
