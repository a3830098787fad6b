// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef STATSVIEW_H
#define STATSVIEW_H

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qtimer.h>
#include <QtWidgets/qwidget.h>

class StatsModel;
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QValueAxis;

// The Stats view (Qt Charts): calls/s and errors/s, and bytes/s each way,
// one point per second over a rolling window (5 minutes, or since the capture
// began if that is shorter) ending "now".
// The charts are redrawn on a timer, at most four times a second and only
// when counts changed or time runs (live), never per event.
class StatsView : public QWidget
{
    Q_OBJECT
public:
    explicit StatsView(StatsModel *model, QWidget *parent = nullptr);
    ~StatsView() override;

    StatsModel *model() const;

    // Live: "now" runs from poolClock (the pool's clock now) on a local timer.
    void setLive(qint64 poolClock);
    // Not live (closed, or a file): the window ends at t.
    void setStopped(qint64 t);

    // The most seconds shown; default 300. A shorter capture shows from
    // its start (at least a minute): shownSeconds().
    void setWindow(int seconds);
    int window() const;
    int shownSeconds() const;
    // The last second shown (pool clock).
    qint64 windowEnd() const;

    // Redraws the charts now (the timer does it otherwise).
    void refresh();
    // How many times the charts were redrawn.
    int refreshCount() const;

    QLineSeries *callsSeries() const;
    QLineSeries *errorsSeries() const;
    QLineSeries *bytesInSeries() const;
    QLineSeries *bytesOutSeries() const;
    QString summary() const;

private:
    QChart *makeChart(const QString &title, QLineSeries *a, QLineSeries *b, QValueAxis **x,
                      QValueAxis **y);
    qint64 nowNs() const;
    void tick();

    StatsModel *m_model;
    QLineSeries *m_calls;
    QLineSeries *m_errors;
    QLineSeries *m_bytesIn;
    QLineSeries *m_bytesOut;
    QValueAxis *m_callsX = nullptr;
    QValueAxis *m_callsY = nullptr;
    QValueAxis *m_bytesX = nullptr;
    QValueAxis *m_bytesY = nullptr;
    QChartView *m_callsView;
    QChartView *m_bytesView;
    QLabel *m_summary;
    QTimer m_timer;
    QElapsedTimer m_liveClock;
    qint64 m_clockAtLive = 0;
    qint64 m_stoppedAt = 0;
    bool m_live = false;
    bool m_dirty = true;
    int m_window = 300;
    int m_shown = 60;
    int m_refreshes = 0;
};

#endif // STATSVIEW_H
