/* One party of an interaction on its own leg: the contact, a consulted person, a conferenced
 * agent. Addressed by an id that never changes ("contact", "consult-1", …); Participants on
 * D-Bus lists them. The leg's media belong to the participant. */
#pragma once

#include "sp-leg.h"
#include "sp-media-session.h"
#include "sp-sdp.h"
#include "sp-srtp-keyring.h"

G_BEGIN_DECLS

typedef enum
{
  SP_PARTICIPANT_CONTACT,
  SP_PARTICIPANT_CONSULT,
  SP_PARTICIPANT_AGENT,
} SpParticipantRole;

typedef enum
{
  SP_PARTICIPANT_CALLING, /* our INVITE is on its way or ringing there */
  SP_PARTICIPANT_RINGING, /* their INVITE rings here */
  SP_PARTICIPANT_TALKING,
  SP_PARTICIPANT_HELD,
  SP_PARTICIPANT_ENDED,
  SP_PARTICIPANT_DECLINED, /* our INVITE was refused (busy, declined) or never answered */
} SpParticipantState;

typedef struct
{
  char *id;
  SpParticipantRole role;
  SpParticipantState state;
  char *uri;
  char *name;
  SpLeg *leg;            /* NULL once released */
  SpMediaSession *media; /* NULL until the first exchange needs ports, and after the end */
  gint64 joined;         /* g_get_real_time() when talking first, 0 before */
  gint64 left;           /* when it ended, 0 before */
  char *transfer;        /* where a transfer of this party goes, NULL when none */
  char *transfer_state;  /* "requested", then the target's progress ("180 Ringing") */
  /* a side leg's (consultation, conference) own offer/answer; the contact's is the interaction's */
  SpSdpSession *sdp;      /* our last description in its dialog */
  gboolean media_started; /* its voice runs */
  gboolean held;          /* we hold it (the conference is on hold) */
  gboolean in_conference; /* it hears, and is heard by, the other parties of the conference */
  gboolean relays_video;  /* a conferenced agent offered the contact's picture (sendonly) */
  gboolean video_started; /* that picture is sent */
  SpSrtpKeyring srtp;     /* its SRTP keys, wiped with it */
} SpParticipant;

SpParticipant *
sp_participant_new (const char *id, SpParticipantRole role, const char *uri, const char *name);
void
sp_participant_free (SpParticipant *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpParticipant, sp_participant_free)

const char *
sp_participant_role_to_string (SpParticipantRole role);
const char *
sp_participant_state_to_string (SpParticipantState state);
/* a{sv}: id, uri, name, role, state (strings), joined, left (x, µs since the epoch, 0 = not),
 * conference (b: in the local conference's mix), video (b: the contact's picture is sent to
 * it). */
GVariant *
sp_participant_to_variant (const SpParticipant *self);

G_END_DECLS
