// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef INSPECTORGUI_H
#define INSPECTORGUI_H

// gobridge-inspector's window (Qt Widgets): creates the QApplication, reads
// the GUI's options (--attach PID|NAME, --open FILE, and the hidden
// --screenshot FILE --after MSECS) and runs the event loop.
int runInspectorGui(int argc, char **argv);

#endif // INSPECTORGUI_H
