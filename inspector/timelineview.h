// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef TIMELINEVIEW_H
#define TIMELINEVIEW_H

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qtimer.h>
#include <QtWidgets/qwidget.h>

class TimelineCanvas;
class TimelineModel;
class QLabel;
class QPainter;
class QScrollBar;
class QToolButton;

// The Timeline: one lane per worker slot, its processes as bars (a crash
// marked red, the restart's backoff hatched, recycled and given up marked)
// and its calls as spans coloured by outcome, over a time axis. Zoom with
// Ctrl+wheel, the +/- buttons or Fit; pan by dragging or with the scroll
// bar. While live it follows "now" unless the user panned away (Follow
// brings it back). Paints only the visible time range, from the model's
// per-row time index, at most 20 times a second (less when a paint takes
// more than a fifth of that time).
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(TimelineModel *model, QWidget *parent = nullptr);
    ~TimelineView() override;

    TimelineModel *model() const;

    // Live: "now" runs from poolClock (the pool's clock now) on a local timer.
    void setLive(qint64 poolClock);
    // Not live (closed, or a file): "now" stays at t.
    void setStopped(qint64 t);
    bool isLive() const;
    // The pool clock (ns) taken as now: running calls and processes reach it.
    qint64 now() const;

    // The time range shown (pool clock, ns).
    qint64 visibleStart() const;
    qint64 visibleEnd() const;
    void setVisibleRange(qint64 from, qint64 to);
    // factor > 1 zooms in, around the middle (the right edge while following).
    void zoom(double factor);
    // Shows the whole capture.
    void fit();
    void setFollowing(bool follow);
    bool isFollowing() const;

    // The call drawn highlighted (0 for none): the one with this id on the
    // connection link, or the latest with this id if link is 0; shown if it
    // is out of view.
    void setCurrentCall(qint64 id, qint64 link = 0);
    qint64 currentCall() const;

    // Where things are drawn, in canvas() coordinates (null rects when out of view).
    QWidget *canvas() const;
    QRect callRect(qint64 id) const;
    QRect crashMarkRect(int lane, int process) const;
    // The call drawn at pos (canvas coordinates), or 0.
    qint64 callAt(const QPoint &pos) const;
    // The tooltip at pos (canvas coordinates), rich text; empty for none.
    QString toolTipAt(const QPoint &pos) const;

Q_SIGNALS:
    // The user clicked a call's span: its id and its connection's link.
    void callClicked(qint64 id, qint64 link);
    void visibleRangeChanged();

private:
    friend class TimelineCanvas;
    struct Geometry;
    Geometry geometry() const;
    qint64 endOfTime() const;
    void tick();
    void applyFollow();
    void setStart(qint64 start, bool byUser);
    void updateScrollBars();
    void updateScaleLabel();
    void zoomAt(double factor, double x);
    void paintCanvas(QPainter *painter);
    void paintAxis(QPainter *painter, const Geometry &g);
    void paintLane(QPainter *painter, const Geometry &g, int lane);
    qint64 keyAt(const QPoint &pos) const;
    qint64 keyFor(qint64 id) const;

    TimelineModel *m_model;
    TimelineCanvas *m_canvas;
    QScrollBar *m_hbar;
    QScrollBar *m_vbar;
    QToolButton *m_follow;
    QLabel *m_scale;
    QTimer m_timer;
    QElapsedTimer m_liveClock;
    QElapsedTimer m_sincePaint; // since the last paint ended
    qint64 m_paintMs = 0;       // how long it took
    qint64 m_clockAtLive = 0;
    qint64 m_stoppedAt = 0;
    bool m_live = false;
    bool m_autoFit = true; // the whole capture, until it is longer than a minute
    bool m_dirty = true;
    bool m_updatingBars = false;
    qint64 m_start = 0;         // the left edge, pool clock ns
    qint64 m_span = 1000000000; // ns across the plot
    qint64 m_barUnit = 1;       // ns per scroll bar step
    qint64 m_current = 0;       // the current call's id
    qint64 m_currentLink = 0;   // its connection's link (0: not known)
    qint64 m_currentKey = 0;    // and its key (ids repeat: TimelineModel)
};

#endif // TIMELINEVIEW_H
