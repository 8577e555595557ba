/* A leg's part in a conference's mix (sp-audio-bridge.c), one Membership per mix it joins:
 *   heard tee → audioconvert → audioresample → caps → appsink   (what the leg hears, to the bridge)
 *   appsrc → audioconvert → audioresample → a pad of the send mixer   (the others, from the bridge)
 * The send mixer is in the leg's send path from its first mix to its last (sp-send-mixer.c).
 * Both ends carry 48 kHz mono S16 in 20 ms frames. The appsrc is live and stamps each frame as
 * the bridge pushes it; it reports 20 ms of latency (the send mixer waits that long for it) and
 * holds 100 ms at most, dropping the oldest, so a stall cannot build a delay that lasts. */
#include "sp-audio-share.h"
#include "sp-audio-bridge.h"
#include "sp-gst.h"
#include "sp-media-error.h"
#include "sp-send-mixer.h"

#include <string.h>

#define LATENCY_NS (20 * GST_MSECOND)
#define MAX_BYTES (5 * 960 * 2)

typedef struct
{
  GstElement *out_bin; /* heard → the bridge */
  GstPad *tee_pad;
  GstElement *in_bin; /* the bridge → sent */
  GstPad *mixer_pad;
  SpAudioBridge *bridge;
  SpAudioBridgeMember *member;
} Membership;

struct _SpAudioShare
{
  GstBin *pipeline;
  SpSendMixer *send_mixer;
  GstElement *tee;
  GHashTable *mixes; /* mix name → Membership */
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

/* BIN joins the pipeline and meets the running element's PAD in the order that lets nothing
 * be lost: an output starts before the tee pushes into it (an element not started refuses
 * data), an input is linked before it starts (a source that pushes unlinked stops with
 * "not-linked", which is an error of the whole pipeline). */
static gboolean
attach (SpAudioShare *self, GstElement *bin, GstPad *pad, gboolean bin_is_upstream, GError **error)
{
  g_autoptr (GstPad) end = gst_element_get_static_pad (bin, bin_is_upstream ? "src" : "sink");
  GstPadLinkReturn linked;

  gst_bin_add (self->pipeline, bin); /* the bin takes a reference of its own */
  if (!bin_is_upstream)
    gst_element_sync_state_with_parent (bin);
  linked = bin_is_upstream ? gst_pad_link (end, pad) : gst_pad_link (pad, end);
  if (linked != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The shared audio cannot be linked (%s)", gst_pad_link_get_name (linked));
      gst_element_set_state (bin, GST_STATE_NULL);
      gst_bin_remove (self->pipeline, bin);
      return FALSE;
    }
  if (bin_is_upstream)
    gst_element_sync_state_with_parent (bin);
  return TRUE;
}

static void
stop_branch (SpAudioShare *self, GstElement *bin)
{
  gst_element_set_state (bin, GST_STATE_NULL);
  gst_bin_remove (self->pipeline, bin);
}

/* Leaving: the leg stops handing over what it hears (its appsink stops, so the bridge's
 * callback no longer runs), leaves the bridge, then stops taking the mix. */
static void
membership_free (SpAudioShare *self, Membership *membership)
{
  /* An output stops getting buffers once its tee pad is gone (the tee waits for a push in
   * progress), then stops; an input stops, then gives its pad back to the send mixer (which
   * leaves the send path with the last one). */
  if (membership->out_bin)
    {
      gst_element_release_request_pad (self->tee, membership->tee_pad);
      stop_branch (self, membership->out_bin);
    }
  if (membership->member)
    sp_audio_bridge_remove (membership->bridge, membership->member);
  if (membership->in_bin)
    {
      stop_branch (self, membership->in_bin);
      sp_send_mixer_release_pad (self->send_mixer, membership->mixer_pad);
    }
  g_clear_pointer (&membership->bridge, sp_audio_bridge_unref);
  g_clear_object (&membership->out_bin);
  g_clear_object (&membership->tee_pad);
  g_clear_object (&membership->in_bin);
  g_clear_object (&membership->mixer_pad);
  g_free (membership);
}

SpAudioShare *
sp_audio_share_new (GstBin *pipeline, SpSendMixer *send_mixer, GstElement *tee)
{
  SpAudioShare *self = g_new0 (SpAudioShare, 1);

  self->pipeline = gst_object_ref (pipeline);
  self->send_mixer = send_mixer;
  self->tee = gst_object_ref (tee);
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
  if (g_hash_table_contains (self->mixes, mix))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "Already in the mix %s", mix);
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
  if (!attach (self, bin, pad, FALSE, error))
    {
      gst_element_release_request_pad (self->tee, pad);
      return FALSE;
    }
  membership->out_bin = g_steal_pointer (&bin);
  membership->tee_pad = g_steal_pointer (&pad);
  return TRUE;
}

static gboolean
join_input (SpAudioShare *self, Membership *membership, GError **error)
{
  g_autofree char *description = g_strdup_printf (
    "appsrc name=mix is-live=true format=time do-timestamp=true min-latency=%" G_GUINT64_FORMAT
    " max-bytes=%d leaky-type=downstream caps=" SP_AUDIO_BRIDGE_CAPS
    " ! audioconvert ! audioresample",
    (guint64)LATENCY_NS, MAX_BYTES);
  g_autoptr (GstElement) bin = make_branch (description, error);
  g_autoptr (GstPad) pad = NULL;

  if (bin == NULL || !(pad = sp_send_mixer_request_pad (self->send_mixer, error)))
    return FALSE;
  if (!attach (self, bin, pad, TRUE, error))
    {
      sp_send_mixer_release_pad (self->send_mixer, pad);
      return FALSE;
    }
  membership->in_bin = g_steal_pointer (&bin);
  membership->mixer_pad = g_steal_pointer (&pad);
  return TRUE;
}

gboolean
sp_audio_share_join (SpAudioShare *self, const char *mix, GError **error)
{
  Membership *membership;
  g_autoptr (GstElement) heard = NULL;
  g_autoptr (GstElement) source = NULL;

  if (!check_new (self, mix, error))
    return FALSE;
  membership = g_new0 (Membership, 1);
  if (!join_input (self, membership, error) || !join_output (self, membership, error))
    {
      membership_free (self, membership);
      return FALSE;
    }
  heard = gst_bin_get_by_name (GST_BIN (membership->out_bin), "heard");
  source = gst_bin_get_by_name (GST_BIN (membership->in_bin), "mix");
  membership->bridge = sp_audio_bridge_get (mix);
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
  membership_free (self, membership);
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
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&membership))
    membership_free (self, membership);
  g_hash_table_unref (self->mixes);
  gst_object_unref (self->tee);
  gst_object_unref (self->pipeline);
  g_free (self);
}
