// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "statsview.h"

#include "models/statsmodel.h"

#include <QtCharts/qchart.h>
#include <QtCharts/qchartview.h>
#include <QtCharts/qlineseries.h>
#include <QtCharts/qvalueaxis.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qgraphicslayout.h>
#include <QtWidgets/qlabel.h>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 Second = 1000000000;

QString bytesText(double bytes)
{
    if (bytes < 1024)
        return u"%1 B"_s.arg(bytes, 0, 'f', 0);
    if (bytes < 1024 * 1024)
        return u"%1 KiB"_s.arg(bytes / 1024, 0, 'f', 1);
    return u"%1 MiB"_s.arg(bytes / (1024 * 1024), 0, 'f', 1);
}

// An axis maximum a little above max, at a round number.
double roundUp(double max)
{
    if (max <= 0)
        return 1;
    const double power = std::pow(10, std::floor(std::log10(max)));
    for (const double m : { 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0 }) {
        if (m * power >= max * 1.05)
            return m * power;
    }
    return 10 * power;
}
} // namespace

StatsView::StatsView(StatsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_calls(new QLineSeries(this))
    , m_errors(new QLineSeries(this))
    , m_bytesIn(new QLineSeries(this))
    , m_bytesOut(new QLineSeries(this))
    , m_summary(new QLabel(this))
{
    m_calls->setName(tr("calls/s"));
    m_calls->setPen(QPen(QColor(0x43, 0xa0, 0x47), 2));
    m_errors->setName(tr("errors/s"));
    m_errors->setPen(QPen(QColor(0xd3, 0x2f, 0x2f), 2));
    m_bytesIn->setName(tr("in (from workers)"));
    m_bytesIn->setPen(QPen(QColor(0x1e, 0x88, 0xe5), 2));
    m_bytesOut->setName(tr("out (to workers)"));
    m_bytesOut->setPen(QPen(QColor(0x8e, 0x24, 0xaa), 2));

    m_callsView = new QChartView(
            makeChart(tr("Calls per second"), m_calls, m_errors, &m_callsX, &m_callsY), this);
    m_bytesView = new QChartView(
            makeChart(tr("Bytes per second"), m_bytesIn, m_bytesOut, &m_bytesX, &m_bytesY), this);
    m_callsView->setObjectName(u"callsChart"_s);
    m_bytesView->setObjectName(u"bytesChart"_s);
    for (QChartView *view : { m_callsView, m_bytesView }) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(240, 150);
    }
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setContentsMargins(4, 0, 4, 0);

    auto *charts = new QHBoxLayout;
    charts->setContentsMargins(0, 0, 0, 0);
    charts->setSpacing(2);
    charts->addWidget(m_callsView);
    charts->addWidget(m_bytesView);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    layout->addWidget(m_summary);
    layout->addLayout(charts, 1);

    connect(m_model, &StatsModel::changed, this, [this] {
        m_dirty = true;
        if (m_model->lastSecond() < 0) // a new capture
            m_stoppedAt = 0;
    });
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &StatsView::tick);
    m_timer.start();
    refresh();
}

StatsView::~StatsView() = default;

QChart *StatsView::makeChart(const QString &title, QLineSeries *a, QLineSeries *b, QValueAxis **x,
                             QValueAxis **y)
{
    auto *chart = new QChart;
    chart->setToolTip(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(4, 2, 8, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);
    chart->addSeries(a);
    chart->addSeries(b);
    *x = new QValueAxis(chart);
    (*x)->setLabelFormat(u"%d"_s);
    (*x)->setTitleText(tr("seconds before now"));
    *y = new QValueAxis(chart);
    (*y)->setLabelFormat(u"%g"_s);
    (*y)->setMin(0);
    chart->addAxis(*x, Qt::AlignBottom);
    chart->addAxis(*y, Qt::AlignLeft);
    for (QLineSeries *series : { a, b }) {
        series->attachAxis(*x);
        series->attachAxis(*y);
    }
    return chart;
}

StatsModel *StatsView::model() const
{
    return m_model;
}

void StatsView::setLive(qint64 poolClock)
{
    m_live = true;
    m_clockAtLive = poolClock;
    m_liveClock.start();
    m_dirty = true;
}

void StatsView::setStopped(qint64 t)
{
    if (m_live)
        t = qMax(t, nowNs());
    m_live = false;
    m_stoppedAt = t;
    m_dirty = true;
}

void StatsView::setWindow(int seconds)
{
    m_window = qBound(10, seconds, m_model->capacity());
    m_dirty = true;
}

int StatsView::window() const
{
    return m_window;
}

int StatsView::shownSeconds() const
{
    return m_shown;
}

qint64 StatsView::nowNs() const
{
    const qint64 last = qMax<qint64>(0, m_model->lastSecond()) * Second;
    if (m_live)
        return qMax(last, m_clockAtLive + m_liveClock.nsecsElapsed());
    return qMax(m_stoppedAt, last);
}

qint64 StatsView::windowEnd() const
{
    return nowNs() / Second;
}

void StatsView::tick()
{
    if ((m_dirty || m_live) && isVisible())
        refresh();
}

void StatsView::refresh()
{
    m_dirty = false;
    ++m_refreshes;
    const qint64 end = windowEnd();
    const qint64 since = m_model->firstSecond() < 0 ? end : m_model->firstSecond();
    m_shown = int(qBound(qint64(qMin(60, m_window)), end - since + 1, qint64(m_window)));
    const qint64 first = end - m_shown + 1;
    QList<QPointF> calls, errors, in, out;
    calls.reserve(m_shown);
    errors.reserve(m_shown);
    in.reserve(m_shown);
    out.reserve(m_shown);
    double maxCalls = 0;
    double maxBytes = 0;
    for (qint64 s = first; s <= end; ++s) {
        const StatsModel::Bucket b = m_model->bucket(s);
        const double x = double(s - end);
        calls.append(QPointF(x, double(b.calls)));
        errors.append(QPointF(x, double(b.errors)));
        in.append(QPointF(x, double(b.bytesIn)));
        out.append(QPointF(x, double(b.bytesOut)));
        maxCalls = qMax(maxCalls, double(b.calls));
        maxBytes = qMax(maxBytes, double(qMax(b.bytesIn, b.bytesOut)));
    }
    // Bytes in the unit their maximum reads best in.
    double unit = 1;
    QString unitName = tr("B/s");
    if (maxBytes >= 1024 * 1024) {
        unit = 1024 * 1024;
        unitName = tr("MiB/s");
    } else if (maxBytes >= 1024) {
        unit = 1024;
        unitName = tr("KiB/s");
    }
    if (unit != 1) {
        for (QPointF &p : in)
            p.setY(p.y() / unit);
        for (QPointF &p : out)
            p.setY(p.y() / unit);
    }
    m_calls->replace(calls);
    m_errors->replace(errors);
    m_bytesIn->replace(in);
    m_bytesOut->replace(out);
    for (QValueAxis *x : { m_callsX, m_bytesX }) {
        x->setRange(-m_shown, 0);
        x->setTickType(QValueAxis::TicksDynamic);
        x->setTickAnchor(0);
        x->setTickInterval(m_shown <= 60 ? 10 : (m_shown <= 150 ? 30 : 60));
    }
    m_callsY->setRange(0, roundUp(maxCalls));
    m_callsY->applyNiceNumbers(); // ticks at round numbers
    m_callsY->setTitleText(tr("calls/s"));
    m_bytesY->setRange(0, roundUp(maxBytes / unit));
    m_bytesY->applyNiceNumbers();
    m_bytesY->setTitleText(unitName);

    const StatsModel::Bucket window = m_model->sum(first, end);
    const StatsModel::Bucket totals = m_model->totals();
    m_summary->setText(
            tr("Last %1 s: %2 calls, %3 errors, %4 in, %5 out.   Since the capture "
               "began: %6 calls, %7 errors, %8 in, %9 out.")
                    .arg(m_shown)
                    .arg(window.calls)
                    .arg(window.errors)
                    .arg(bytesText(double(window.bytesIn)), bytesText(double(window.bytesOut)))
                    .arg(totals.calls)
                    .arg(totals.errors)
                    .arg(bytesText(double(totals.bytesIn)), bytesText(double(totals.bytesOut))));
}

int StatsView::refreshCount() const
{
    return m_refreshes;
}

QLineSeries *StatsView::callsSeries() const
{
    return m_calls;
}

QLineSeries *StatsView::errorsSeries() const
{
    return m_errors;
}

QLineSeries *StatsView::bytesInSeries() const
{
    return m_bytesIn;
}

QLineSeries *StatsView::bytesOutSeries() const
{
    return m_bytesOut;
}

QString StatsView::summary() const
{
    return m_summary->text();
}
