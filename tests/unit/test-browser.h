/* A browser for the browser video tests: a second webrtcbin in this process that offers VP8
 * under payload type 100 (as Chromium does, not 96), sends a picture of one colour and decodes
 * what it receives, over ICE host candidates on loopback with DTLS-SRTP. */
#pragma once

#include <gst/gst.h>

typedef struct _TestBrowser TestBrowser;

/* Hands one of the browser's candidates to our side, on the main context, as a signalling
 * channel would; only after the answer was set, since our side refuses them before the offer. */
typedef void (*TestBrowserDeliver) (guint mline, const char *candidate, gpointer data);

/* The ICE addresses both sides are limited to: loopback, and no SSDP multicast from a test. */
extern const char *const TEST_BROWSER_LOOPBACK[];

/* Whether webrtcbin and libnice's elements are installed; says what is missing if not. */
gboolean
test_browser_available (void);

/* PATTERN: the videotestsrc pattern the browser sends ("blue", "green", …). */
TestBrowser *
test_browser_new (const char *pattern, TestBrowserDeliver deliver, gpointer data);
/* Stops the browser; candidates still queued for it are dropped. */
void
test_browser_free (TestBrowser *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestBrowser, test_browser_free)

/* The browser's offer (SDP text) within MS ms, or NULL; the browser keeps it. */
const char *
test_browser_wait_offer (TestBrowser *self, guint ms);
/* Our answer (SDP text): the browser's candidates start reaching our side. */
void
test_browser_set_answer (TestBrowser *self, const char *answer);
/* One of our candidates. */
void
test_browser_add_candidate (TestBrowser *self, guint mline, const char *candidate);
/* Pictures the browser decoded so far. */
guint
test_browser_get_frames (TestBrowser *self);
/* Whether the middle of the browser's newest picture is R,G,B (give or take 60 over the three)
 * within MS ms; the main context runs meanwhile. The colour seen is logged either way. */
gboolean
test_browser_wait_colour (TestBrowser *self, guint8 r, guint8 g, guint8 b, guint ms);
