/* Fakes of the ports (service/ports) for unit tests of the domain: a leg that records what the
 * interaction asked of it and emits what the test tells it to, a phone line that hands out such
 * legs, and media that only remember their parameters. */
#pragma once

#include "sp-media-session.h"
#include "sp-telephony.h"

G_BEGIN_DECLS

#define FAKE_TYPE_LEG (fake_leg_get_type ())
G_DECLARE_FINAL_TYPE (FakeLeg, fake_leg, FAKE, LEG, GObject)

struct _FakeLeg
{
  GObject parent_instance;

  char *remote_uri;
  char *initial_offer;
  GVariant *attached_data;
  gboolean established, ended, pending_offer;
  GPtrArray *actions; /* what the interaction did, as text: "ring", "accept", "reject 486", … */
  char *last_sdp;     /* the SDP of the last accept, send_offer or answer_offer */
};

FakeLeg *
fake_leg_new (const char *remote_uri, const char *initial_offer);
/* The last action, "" when none. */
const char *
fake_leg_last_action (FakeLeg *self);
/* The party's side of the dialog: emit what the test says. */
void
fake_leg_emit_answer (FakeLeg *self, const char *sdp);
void
fake_leg_emit_offer (FakeLeg *self, const char *sdp_or_null);
void
fake_leg_emit_offer_failed (FakeLeg *self, guint status);
void
fake_leg_emit_established (FakeLeg *self);
void
fake_leg_emit_ended (FakeLeg *self, SpLegEndCause cause, guint status);

#define FAKE_TYPE_TELEPHONY (fake_telephony_get_type ())
G_DECLARE_FINAL_TYPE (FakeTelephony, fake_telephony, FAKE, TELEPHONY, GObject)

struct _FakeTelephony
{
  GObject parent_instance;

  FakeLeg *dialled; /* the last leg dialled (owned) */
  GPtrArray *legs;  /* every leg dialled, in order (owned) */
};

FakeTelephony *
fake_telephony_new (void);
/* The last leg dialled to URI, NULL when none. */
FakeLeg *
fake_telephony_last_to (FakeTelephony *self, const char *uri);

#define FAKE_TYPE_MEDIA (fake_media_get_type ())
G_DECLARE_FINAL_TYPE (FakeMedia, fake_media, FAKE, MEDIA, GObject)

struct _FakeMedia
{
  GObject parent_instance;

  gboolean audio_started, video_started, stopped;
  SpMediaDirection audio_direction, video_direction;
  SpMediaSrtp audio_srtp; /* the SRTP keys of the last start or update */
  char *audio_codec;
  char *push_path;
  char *relay;              /* the channel its video shows instead of the camera (relay_video) */
  GHashTable *mixes;        /* mix name -> the member name it joined as (join_mix) */
  gboolean browser_running; /* browser video started and not stopped */
  guint browser_starts;
  guint browser_candidates;
};

#define FAKE_TYPE_MEDIA_FACTORY (fake_media_factory_get_type ())
G_DECLARE_FINAL_TYPE (FakeMediaFactory, fake_media_factory, FAKE, MEDIA_FACTORY, GObject)

struct _FakeMediaFactory
{
  GObject parent_instance;

  gboolean camera;
  FakeMedia *last;  /* the last media made (borrowed; NULL once it is gone) */
  GPtrArray *alive; /* every media made and not finalized yet (borrowed) */
};

FakeMediaFactory *
fake_media_factory_new (gboolean camera);
/* The conference's links between the media alive and not stopped: "FROM>TO" for each two legs
 * in the same mix (FROM and TO: the member names they joined as), sorted, spaces between them;
 * "" when none. */
char *
fake_media_factory_links (FakeMediaFactory *self);

G_END_DECLS
