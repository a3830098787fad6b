// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef INSPECTORGUI_H
#define INSPECTORGUI_H

// gobridge-inspector's window (Qt Widgets): creates the QApplication, reads
// the GUI's options (--attach PID|NAME, --open FILE, a script to launch with
// --python EXE and --workers N, and the hidden --screenshot FILE --after
// MSECS, --screenshot-launch FILE --launch-call NAME --launch-args JSON) and
// runs the event loop.
int runInspectorGui(int argc, char **argv);

#endif // INSPECTORGUI_H
