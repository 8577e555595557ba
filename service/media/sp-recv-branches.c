/* rtpbin receive branches, shared by the audio and video sessions. */
#include "sp-recv-branches.h"

typedef struct
{
  char *pad_name;
  GstElement *element;
  GstPad *selector_pad; /* NULL for a discarding branch */
} Branch;

struct _SpRecvBranches
{
  GstBin *bin;
  GstElement *selector;
  GMutex lock;
  GPtrArray *branches; /* of Branch */
};

static void
branch_free (Branch *branch)
{
  g_free (branch->pad_name);
  g_clear_object (&branch->element);
  g_clear_object (&branch->selector_pad);
  g_free (branch);
}

SpRecvBranches *
sp_recv_branches_new (GstBin *bin, GstElement *selector)
{
  SpRecvBranches *self = g_new0 (SpRecvBranches, 1);

  self->bin = bin;
  self->selector = selector;
  g_mutex_init (&self->lock);
  self->branches = g_ptr_array_new_with_free_func ((GDestroyNotify)branch_free);
  return self;
}

void
sp_recv_branches_free (SpRecvBranches *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->branches);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
sp_recv_branches_link (SpRecvBranches *self, GstPad *pad, GstElement *decoder)
{
  Branch *branch = g_new0 (Branch, 1);
  g_autoptr (GstPad) sink = NULL;

  if (decoder == NULL)
    {
      decoder = gst_object_ref_sink (gst_element_factory_make ("fakesink", NULL));
      g_object_set (decoder, "sync", FALSE, "async", FALSE, NULL);
    }
  else
    branch->selector_pad = gst_element_request_pad_simple (self->selector, "sink_%u");
  branch->pad_name = gst_pad_get_name (pad);
  branch->element = decoder;
  gst_bin_add (self->bin, decoder); /* a second reference, the bin's */
  if (branch->selector_pad != NULL)
    {
      g_autoptr (GstPad) src = gst_element_get_static_pad (decoder, "src");

      gst_pad_link (src, branch->selector_pad);
    }
  gst_element_sync_state_with_parent (decoder);
  sink = gst_element_get_static_pad (decoder, "sink");
  gst_pad_link (pad, sink);
  if (branch->selector_pad != NULL)
    g_object_set (self->selector, "active-pad", branch->selector_pad, NULL);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->branches, branch);
  g_mutex_unlock (&self->lock);
}

gboolean
sp_recv_branches_remove (SpRecvBranches *self, const char *pad_name)
{
  Branch *branch = NULL;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->branches->len && branch == NULL; i++)
    {
      Branch *candidate = g_ptr_array_index (self->branches, i);

      if (g_str_equal (candidate->pad_name, pad_name))
        branch = g_ptr_array_steal_index (self->branches, i);
    }
  g_mutex_unlock (&self->lock);
  if (branch == NULL)
    return FALSE;

  gst_element_set_state (branch->element, GST_STATE_NULL);
  gst_bin_remove (self->bin, branch->element);
  if (branch->selector_pad != NULL)
    gst_element_release_request_pad (self->selector, branch->selector_pad);
  branch_free (branch);
  return TRUE;
}

GstPad *
sp_recv_branches_dup_shown_sink (SpRecvBranches *self)
{
  GstPad *sink = NULL;

  g_mutex_lock (&self->lock);
  for (guint i = self->branches->len; i > 0 && sink == NULL; i--)
    {
      Branch *branch = g_ptr_array_index (self->branches, i - 1);

      if (branch->selector_pad != NULL)
        sink = gst_element_get_static_pad (branch->element, "sink");
    }
  g_mutex_unlock (&self->lock);
  return sink;
}

void
sp_recv_branches_clear (SpRecvBranches *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->branches, 0);
  g_mutex_unlock (&self->lock);
}
