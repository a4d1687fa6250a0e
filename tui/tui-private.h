/*
 * tui-private.h - what the files of tui/ share, one header per part:
 * draw.h (drawing primitives), idset.h (sets of ids), list.h (the list
 * engine, array sources, text matching), filter.h (candidate filters),
 * bg.h (the background worker), preview-pane.h (the preview pane),
 * viewport.h (zoom and pan over a picture),
 * view.h (reactions, view ops, holds, the view stack), prompt.h (the
 * prompt), app.h (struct tui, messages, dispatch, the main loop),
 * actions.h (editor, candidate actions, import), writer.h (the writer
 * thread), gen.h (generation and the regenerate form) and filejob.h (the
 * thread of an import or a watch).  The files of
 * tui/ include this umbrella; each part compiles alone.
 *
 * Only draw.c and loop.c include curses.h: views
 * draw through the draw_* primitives, and only the main loop
 * repaints the terminal.
 */
#ifndef LB_TUI_PRIVATE_H
#define LB_TUI_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "keymaps/keymaps.h"
#include "store/store.h"
#include "util.h"

struct tui;
struct view;
struct import_job;
struct tui_gen;
struct form;
struct writer;

#include "tui/draw.h"
#include "tui/idset.h"
#include "tui/list.h"
#include "tui/filter.h"
#include "tui/bg.h"
#include "tui/fold.h"
#include "tui/preview-pane.h"
#include "tui/viewport.h"
#include "tui/view.h"
#include "tui/prompt.h"
#include "tui/app.h"
#include "tui/actions.h"
#include "tui/writer.h"
#include "tui/gen.h"
#include "tui/filejob.h"

#endif
