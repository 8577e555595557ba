/* A virtual camera for the tests: a PipeWire Video/Source node that drives itself from its
 * own timer, as a real camera's device node does, and draws a solid colour or moving bars.
 *
 * GStreamer's pipewiresink in "provide" mode (PipeWire 0.3.65) was the test camera before,
 * and on a loaded machine it broke the tests: once its process was starved for about a
 * second it never delivered a frame again, neither to the consumer it had nor to a new one.
 * This node resumes after any stall, like real hardware.
 *
 * Usage: sp-virtual-camera [--name NODE] [--description TEXT] [--role ROLE | --no-role]
 *                          [--class CLASS] [--size WxH] [--rate FPS] [--colour RRGGBB]
 *                          [--frozen]
 * Without --colour it draws vertical bars that move by one pixel per frame. --frozen makes a
 * broken camera: listed and linked like any other, it never delivers a frame. It prints
 * "ready" once connected to PipeWire and runs until SIGTERM or SIGINT (exit status 0). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>

#define BYTES_PER_PIXEL 2 /* YUY2 */

typedef struct
{
  const char *name;
  const char *description;
  const char *role; /* NULL: no media.role */
  const char *media_class;
  uint32_t width, height, rate;
  int solid;       /* 1: one colour, 0: moving bars */
  unsigned colour; /* 0xRRGGBB */
  int frozen;      /* 1: never a frame */
} Options;

typedef struct
{
  Options options;
  struct pw_main_loop *loop;
  struct spa_source *timer;
  struct pw_stream *stream;
  int32_t stride;
  uint64_t frame;
} Camera;

typedef struct
{
  uint8_t y, u, v;
} Yuv;

/* BT.601, limited range: what videoconvert assumes for YUY2 at these sizes. */
static Yuv
rgb_to_yuv (unsigned rgb)
{
  double r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  Yuv yuv = {
    .y = (uint8_t)(16.5 + 0.257 * r + 0.504 * g + 0.098 * b),
    .u = (uint8_t)(128.5 - 0.148 * r - 0.291 * g + 0.439 * b),
    .v = (uint8_t)(128.5 + 0.439 * r - 0.368 * g - 0.071 * b),
  };
  return yuv;
}

static const unsigned bar_colours[]
  = { 0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000 };

static Yuv
pixel_at (const Camera *camera, uint32_t x)
{
  const Options *o = &camera->options;
  uint32_t bar;

  if (o->solid)
    return rgb_to_yuv (o->colour);
  bar = (uint32_t)(((x + camera->frame) % o->width) * 8 / o->width);
  return rgb_to_yuv (bar_colours[bar]);
}

static void
draw (Camera *camera, uint8_t *data)
{
  const Options *o = &camera->options;

  for (uint32_t x = 0; x + 1 < o->width; x += 2)
    {
      Yuv left = pixel_at (camera, x), right = pixel_at (camera, x + 1);
      uint8_t *p = data + x * BYTES_PER_PIXEL;

      p[0] = left.y;
      p[1] = (uint8_t)((left.u + right.u) / 2);
      p[2] = right.y;
      p[3] = (uint8_t)((left.v + right.v) / 2);
    }
  for (uint32_t row = 1; row < o->height; row++)
    memcpy (data + (size_t)row * camera->stride, data, (size_t)o->width * BYTES_PER_PIXEL);
}

static void
on_process (void *data)
{
  Camera *camera = data;
  struct pw_buffer *buffer = pw_stream_dequeue_buffer (camera->stream);
  struct spa_data *d;

  if (buffer == NULL)
    return; /* the consumer holds them all: skip this frame, as a camera would */
  d = &buffer->buffer->datas[0];
  if (d->data != NULL && d->maxsize >= (uint32_t)camera->stride * camera->options.height)
    {
      draw (camera, d->data);
      d->chunk->offset = 0;
      d->chunk->stride = camera->stride;
      d->chunk->size = (uint32_t)camera->stride * camera->options.height;
    }
  camera->frame++;
  pw_stream_queue_buffer (camera->stream, buffer);
}

/* The node drives the graph: each tick asks for one frame. After a stall the timer reports
 * the missed expirations at once; one frame is produced and the rhythm goes on. */
static void
on_timeout (void *data, uint64_t expirations)
{
  Camera *camera = data;

  pw_stream_trigger_process (camera->stream);
}

static void
set_timer (Camera *camera, int running)
{
  struct timespec first = { 0, 1 };
  struct timespec interval = { 0, (long)(1000000000L / camera->options.rate) };

  pw_loop_update_timer (pw_main_loop_get_loop (camera->loop), camera->timer,
                        running ? &first : NULL, running ? &interval : NULL, false);
}

static void
on_state_changed (void *data, enum pw_stream_state old, enum pw_stream_state state,
                  const char *error)
{
  Camera *camera = data;

  if (state == PW_STREAM_STATE_ERROR)
    {
      fprintf (stderr, "sp-virtual-camera: stream error: %s\n", error ? error : "");
      pw_main_loop_quit (camera->loop);
    }
  set_timer (camera, state == PW_STREAM_STATE_STREAMING && !camera->options.frozen);
}

static void
on_param_changed (void *data, uint32_t id, const struct spa_pod *param)
{
  Camera *camera = data;
  uint8_t storage[1024];
  struct spa_pod_builder builder = SPA_POD_BUILDER_INIT (storage, sizeof (storage));
  const struct spa_pod *params[1];
  uint32_t size;

  if (param == NULL || id != SPA_PARAM_Format)
    return;
  camera->stride = (int32_t)SPA_ROUND_UP_N (camera->options.width * BYTES_PER_PIXEL, 4);
  size = (uint32_t)camera->stride * camera->options.height;
  params[0] = spa_pod_builder_add_object (
    &builder, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers, SPA_PARAM_BUFFERS_buffers,
    SPA_POD_CHOICE_RANGE_Int (8, 2, 16), SPA_PARAM_BUFFERS_blocks, SPA_POD_Int (1),
    SPA_PARAM_BUFFERS_size, SPA_POD_Int ((int32_t)size), SPA_PARAM_BUFFERS_stride,
    SPA_POD_Int (camera->stride), SPA_PARAM_BUFFERS_dataType,
    SPA_POD_CHOICE_FLAGS_Int (1 << SPA_DATA_MemPtr));
  pw_stream_update_params (camera->stream, params, 1);
}

static const struct pw_stream_events stream_events = {
  PW_VERSION_STREAM_EVENTS,
  .state_changed = on_state_changed,
  .param_changed = on_param_changed,
  .process = on_process,
};

static void
on_signal (void *data, int signal_number)
{
  Camera *camera = data;

  pw_main_loop_quit (camera->loop);
}

static int
parse_options (int argc, char **argv, Options *o)
{
  *o = (Options){ "test-camera", "Test-Camera", "Camera", "Video/Source", 640, 480, 30, 0, 0, 0 };
  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (strcmp (argv[i], "--no-role") == 0 || strcmp (argv[i], "--frozen") == 0)
        {
          if (argv[i][2] == 'n')
            o->role = NULL;
          else
            o->frozen = 1;
          continue;
        }
      if (value == NULL)
        return -1;
      if (strcmp (argv[i], "--name") == 0)
        o->name = value;
      else if (strcmp (argv[i], "--description") == 0)
        o->description = value;
      else if (strcmp (argv[i], "--role") == 0)
        o->role = value;
      else if (strcmp (argv[i], "--class") == 0)
        o->media_class = value;
      else if (strcmp (argv[i], "--size") == 0)
        {
          if (sscanf (value, "%ux%u", &o->width, &o->height) != 2)
            return -1;
        }
      else if (strcmp (argv[i], "--rate") == 0)
        o->rate = (uint32_t)strtoul (value, NULL, 10);
      else if (strcmp (argv[i], "--colour") == 0)
        {
          o->solid = 1;
          o->colour = (unsigned)strtoul (value, NULL, 16);
        }
      else
        return -1;
      i++;
    }
  if (o->width < 2 || o->height < 2 || o->width > 4096 || o->height > 4096 || o->rate == 0
      || o->rate > 120)
    return -1;
  o->width &= ~1u; /* YUY2 pairs */
  return 0;
}

static struct pw_properties *
node_properties (const Options *o)
{
  struct pw_properties *props
    = pw_properties_new (PW_KEY_MEDIA_CLASS, o->media_class, PW_KEY_NODE_NAME, o->name,
                         PW_KEY_NODE_DESCRIPTION, o->description, PW_KEY_MEDIA_TYPE, "Video", NULL);

  if (o->role != NULL)
    pw_properties_set (props, PW_KEY_MEDIA_ROLE, o->role);
  return props;
}

static int
connect_stream (Camera *camera)
{
  const Options *o = &camera->options;
  uint8_t storage[1024];
  struct spa_pod_builder builder = SPA_POD_BUILDER_INIT (storage, sizeof (storage));
  const struct spa_pod *params[1];

  params[0] = spa_pod_builder_add_object (
    &builder, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType,
    SPA_POD_Id (SPA_MEDIA_TYPE_video), SPA_FORMAT_mediaSubtype, SPA_POD_Id (SPA_MEDIA_SUBTYPE_raw),
    SPA_FORMAT_VIDEO_format, SPA_POD_Id (SPA_VIDEO_FORMAT_YUY2), SPA_FORMAT_VIDEO_size,
    SPA_POD_Rectangle (&SPA_RECTANGLE (o->width, o->height)), SPA_FORMAT_VIDEO_framerate,
    SPA_POD_Fraction (&SPA_FRACTION (o->rate, 1)));
  return pw_stream_connect (camera->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                            PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
}

int
main (int argc, char **argv)
{
  Camera camera = { 0 };
  struct pw_loop *loop;
  int status = 0;

  if (parse_options (argc, argv, &camera.options) < 0)
    {
      fprintf (stderr,
               "usage: %s [--name NODE] [--description TEXT] [--role ROLE | --no-role] "
               "[--class CLASS] [--size WxH] [--rate FPS] [--colour RRGGBB] [--frozen]\n",
               argv[0]);
      return 2;
    }
  pw_init (&argc, &argv);
  camera.loop = pw_main_loop_new (NULL);
  loop = pw_main_loop_get_loop (camera.loop);
  pw_loop_add_signal (loop, SIGINT, on_signal, &camera);
  pw_loop_add_signal (loop, SIGTERM, on_signal, &camera);
  camera.timer = pw_loop_add_timer (loop, on_timeout, &camera);
  camera.stream = pw_stream_new_simple (loop, camera.options.name,
                                        node_properties (&camera.options), &stream_events, &camera);
  if (camera.stream == NULL || connect_stream (&camera) < 0)
    {
      fprintf (stderr, "sp-virtual-camera: cannot connect to PipeWire\n");
      status = 1;
    }
  else
    {
      printf ("ready\n");
      fflush (stdout);
      pw_main_loop_run (camera.loop);
    }
  if (camera.stream != NULL)
    pw_stream_destroy (camera.stream);
  pw_main_loop_destroy (camera.loop);
  pw_deinit ();
  return status;
}
