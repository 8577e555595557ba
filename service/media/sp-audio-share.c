/* A leg's part in a conference's mix (sp-audio-bridge.c):
 *   heard tee → audioconvert → audioresample → caps → appsink   (what the leg hears, to the bridge)
 *   appsrc → audioconvert → audioresample → the voice's place   (the others, from the bridge)
 * The mix takes the place of the leg's own voice in its send path (sp-send-mixer.c), and the
 * agent's voice reaches the leg through the bridge, captured once for the whole conference;
 * the leg's own voice source stops, and its playback is shut (the agent hears the conference
 * on the bridge's member of the agent). Leaving puts the leg's voice back and restarts it.
 * Both ends carry 48 kHz mono S16 in 20 ms frames. The appsrc is live and stamps each frame as
 * the bridge pushes it; it reports 20 ms of latency and holds 100 ms at most, dropping the
 * oldest, so a stall cannot build a delay that lasts. */
#include "sp-audio-share.h"
#include "sp-audio-bridge.h"
#include "sp-gst.h"
#include "sp-media-error.h"
#include "sp-send-mixer.h"

#include <string.h>

typedef struct
{
  GstElement *out_bin; /* heard → the bridge */
  GstPad *tee_pad;
  GstElement *in_bin; /* the bridge → sent */
  SpAudioBridge *bridge;
  SpAudioBridgeMember *member;
} Membership;

struct _SpAudioShare
{
  GstBin *pipeline;
  SpSendMixer *send_mixer;
  GstElement *voice;
  GstElement *tee;
  GstElement *ear_valve;
  char *source_spec;
  gdouble tone_frequency;
  char *sink_spec;
  GHashTable *mixes; /* mix name → Membership (one at most) */
};

static GstElement *
make_branch (const char *description, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, &parse_error);

  if (bin == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The shared audio cannot be built: %s", parse_error->message);
      return NULL;
    }
  return gst_object_ref_sink (bin);
}

/* BIN joins the pipeline and starts before the tee pushes into it (an element not started
 * refuses data). */
static gboolean
attach_output (SpAudioShare *self, GstElement *bin, GstPad *pad, GError **error)
{
  g_autoptr (GstPad) end = gst_element_get_static_pad (bin, "sink");
  GstPadLinkReturn linked;

  gst_bin_add (self->pipeline, bin); /* the bin takes a reference of its own */
  gst_element_sync_state_with_parent (bin);
  linked = gst_pad_link (pad, end);
  if (linked != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The shared audio cannot be linked (%s)", gst_pad_link_get_name (linked));
      gst_element_set_state (bin, GST_STATE_NULL);
      gst_bin_remove (self->pipeline, bin);
      return FALSE;
    }
  return TRUE;
}

static void
stop_branch (SpAudioShare *self, GstElement *bin)
{
  gst_element_set_state (bin, GST_STATE_NULL);
  gst_bin_remove (self->pipeline, bin);
}

/* The leg's own voice, stopped, and its playback, shut, while the mix stands in for them. */
static void
stop_own_audio (SpAudioShare *self)
{
  gst_element_set_locked_state (self->voice, TRUE);
  gst_element_set_state (self->voice, GST_STATE_NULL);
  g_object_set (self->ear_valve, "drop", TRUE, NULL);
}

/* The voice is linked back into its place before it starts (a live source that pushes
 * unlinked stops the pipeline with "not-linked"). */
static void
restore_own_audio (SpAudioShare *self)
{
  g_autoptr (GstPad) voice_pad = gst_element_get_static_pad (self->voice, "src");

  sp_send_mixer_set_voice (self->send_mixer, voice_pad);
  gst_element_set_locked_state (self->voice, FALSE);
  if (!gst_element_sync_state_with_parent (self->voice))
    g_message ("The agent's voice did not restart after the conference");
  g_object_set (self->ear_valve, "drop", FALSE, NULL);
}

/* Leaving: the leg stops handing over what it hears (its appsink stops, so the bridge's
 * callback no longer runs), leaves the bridge, gets its own voice back, then stops taking the
 * mix. */
static void
membership_free (SpAudioShare *self, Membership *membership, gboolean restore)
{
  /* An output stops getting buffers once its tee pad is gone (the tee waits for a push in
   * progress), then stops. */
  if (membership->out_bin)
    {
      gst_element_release_request_pad (self->tee, membership->tee_pad);
      stop_branch (self, membership->out_bin);
    }
  if (membership->member)
    sp_audio_bridge_remove (membership->bridge, membership->member);
  if (membership->in_bin)
    {
      if (restore)
        restore_own_audio (self);
      stop_branch (self, membership->in_bin);
    }
  g_clear_pointer (&membership->bridge, sp_audio_bridge_unref);
  g_clear_object (&membership->out_bin);
  g_clear_object (&membership->tee_pad);
  g_clear_object (&membership->in_bin);
  g_free (membership);
}

SpAudioShare *
sp_audio_share_new (const SpAudioShareLeg *leg)
{
  SpAudioShare *self = g_new0 (SpAudioShare, 1);

  self->pipeline = gst_object_ref (leg->pipeline);
  self->send_mixer = leg->send_mixer;
  self->voice = gst_object_ref (leg->voice);
  self->tee = gst_object_ref (leg->tee);
  self->ear_valve = gst_object_ref (leg->ear_valve);
  self->source_spec = g_strdup (leg->source_spec);
  self->tone_frequency = leg->tone_frequency;
  self->sink_spec = g_strdup (leg->sink_spec);
  self->mixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

static gboolean
check_new (SpAudioShare *self, const char *mix, GError **error)
{
  if (mix == NULL || *mix == '\0')
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT, "A mix needs a name");
      return FALSE;
    }
  if (g_hash_table_size (self->mixes) > 0)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "Already in the mix %s",
                   g_hash_table_contains (self->mixes, mix) ? mix : "of another conference");
      return FALSE;
    }
  return TRUE;
}

static gboolean
join_output (SpAudioShare *self, Membership *membership, GError **error)
{
  /* No clock wait: the bridge's tick is what paces the frames. */
  g_autoptr (GstElement) bin
    = make_branch ("audioconvert ! audioresample ! " SP_AUDIO_BRIDGE_CAPS
                   " ! appsink name=heard sync=false async=false max-buffers=10 drop=true",
                   error);
  g_autoptr (GstPad) pad = NULL;

  if (bin == NULL)
    return FALSE;
  pad = gst_element_request_pad_simple (self->tee, "src_%u");
  if (!attach_output (self, bin, pad, error))
    {
      gst_element_release_request_pad (self->tee, pad);
      return FALSE;
    }
  membership->out_bin = g_steal_pointer (&bin);
  membership->tee_pad = g_steal_pointer (&pad);
  return TRUE;
}

/* The mix takes the voice's place between two of the voice's buffers, then starts; the voice,
 * linked to nothing now, stops. */
static gboolean
join_input (SpAudioShare *self, Membership *membership, GError **error)
{
  g_autofree char *description = g_strdup_printf (
    "appsrc name=mix is-live=true format=time do-timestamp=true min-latency=%" G_GUINT64_FORMAT
    " max-bytes=%d leaky-type=downstream caps=" SP_AUDIO_BRIDGE_CAPS
    " ! audioconvert ! audioresample",
    (guint64)SP_AUDIO_BRIDGE_LATENCY_NS, SP_AUDIO_BRIDGE_MAX_BYTES);
  g_autoptr (GstElement) bin = make_branch (description, error);
  g_autoptr (GstPad) src = NULL;

  if (bin == NULL)
    return FALSE;
  gst_bin_add (self->pipeline, bin); /* the bin takes a reference of its own */
  src = gst_element_get_static_pad (bin, "src");
  sp_send_mixer_set_voice (self->send_mixer, src);
  gst_element_sync_state_with_parent (bin);
  stop_own_audio (self);
  membership->in_bin = g_steal_pointer (&bin);
  return TRUE;
}

gboolean
sp_audio_share_join (SpAudioShare *self, const char *mix, GError **error)
{
  Membership *membership;
  g_autoptr (GstElement) heard = NULL;
  g_autoptr (GstElement) source = NULL;

  g_autoptr (SpAudioBridge) bridge = NULL;

  if (!check_new (self, mix, error))
    return FALSE;
  bridge = sp_audio_bridge_get (mix);
  if (!sp_audio_bridge_add_agent (bridge, self->source_spec, self->tone_frequency, self->sink_spec,
                                  error))
    return FALSE;
  membership = g_new0 (Membership, 1);
  if (!join_output (self, membership, error) || !join_input (self, membership, error))
    {
      membership_free (self, membership, TRUE);
      return FALSE;
    }
  heard = gst_bin_get_by_name (GST_BIN (membership->out_bin), "heard");
  source = gst_bin_get_by_name (GST_BIN (membership->in_bin), "mix");
  membership->bridge = g_steal_pointer (&bridge);
  membership->member
    = sp_audio_bridge_add (membership->bridge, GST_APP_SINK (heard), GST_APP_SRC (source));
  g_hash_table_insert (self->mixes, g_strdup (mix), membership);
  return TRUE;
}

gboolean
sp_audio_share_leave (SpAudioShare *self, const char *mix)
{
  Membership *membership = mix != NULL ? g_hash_table_lookup (self->mixes, mix) : NULL;

  if (membership == NULL)
    return FALSE;
  g_hash_table_remove (self->mixes, mix);
  membership_free (self, membership, TRUE);
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b, gpointer data)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

GStrv
sp_audio_share_list_mixes (SpAudioShare *self)
{
  g_autofree gpointer keys = g_hash_table_get_keys_as_array (self->mixes, NULL);
  GStrv names = g_strdupv (keys);

  g_qsort_with_data (names, (gint)g_strv_length (names), sizeof (char *), compare_names, NULL);
  return names;
}

void
sp_audio_share_free (SpAudioShare *self)
{
  GHashTableIter iter;
  Membership *membership;

  if (self == NULL)
    return;
  g_hash_table_iter_init (&iter, self->mixes);
  /* The leg's pipeline has stopped: nothing to give back to its voice. */
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&membership))
    membership_free (self, membership, FALSE);
  g_hash_table_unref (self->mixes);
  gst_object_unref (self->ear_valve);
  gst_object_unref (self->tee);
  gst_object_unref (self->voice);
  gst_object_unref (self->pipeline);
  g_free (self->source_spec);
  g_free (self->sink_spec);
  g_free (self);
}
