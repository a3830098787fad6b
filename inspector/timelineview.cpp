// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "timelineview.h"

#include "models/timelinemodel.h"

#include <QtCore/qscopeguard.h>
#include <QtGui/qevent.h>
#include <QtGui/qpainter.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qtoolbutton.h>
#include <QtWidgets/qtooltip.h>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {
constexpr int Gutter = 96; // the lanes' labels
constexpr int AxisHeight = 22;
constexpr int BandHeight = 13;               // a lane's process bar
constexpr qint64 MinSpan = 20000;            // 20 µs across the plot
constexpr qint64 AutoFitLimit = 60000000000; // live: the whole capture up to a minute
constexpr qint64 Second = 1000000000;

QColor outcomeColor(TimelineModel::Outcome outcome)
{
    switch (outcome) {
    case TimelineModel::Outcome::Running:
        return QColor(0x1e, 0x88, 0xe5);
    case TimelineModel::Outcome::Ok:
        return QColor(0x43, 0xa0, 0x47);
    case TimelineModel::Outcome::Error:
        return QColor(0xfb, 0x8c, 0x00);
    case TimelineModel::Outcome::Cancelled:
        return QColor(0x9e, 0x9e, 0x9e);
    case TimelineModel::Outcome::Crashed:
        return QColor(0xc6, 0x28, 0x28);
    }
    return Qt::black;
}

const QColor StartingColor(0xcf, 0xd8, 0xe3);
const QColor ReadyColor(0x78, 0x90, 0xa8);
const QColor CrashColor(0xd5, 0x00, 0x00);
const QColor BackoffColor(0xe6, 0x7e, 0x22);
const QColor RecycledColor(0x3f, 0x51, 0xb5);
const QColor GaveUpColor(0x6d, 0x0c, 0x0c);
const QColor IdleColor(0x90, 0x90, 0x90);

QString durationText(qint64 ns)
{
    if (ns < 1000000)
        return u"%1 µs"_s.arg(double(ns) / 1e3, 0, 'f', 0);
    if (ns < Second)
        return u"%1 ms"_s.arg(double(ns) / 1e6, 0, 'f', ns < 10000000 ? 2 : 1);
    return u"%1 s"_s.arg(double(ns) / 1e9, 0, 'f', ns < 10 * Second ? 2 : 1);
}

QString timeText(qint64 t, int decimals)
{
    return u"%1 s"_s.arg(double(t) / 1e9, 0, 'f', decimals);
}
} // namespace

// The drawing surface: paints and takes the mouse for its TimelineView.
class TimelineCanvas : public QWidget
{
public:
    explicit TimelineCanvas(TimelineView *view)
        : QWidget(view)
        , m_view(view)
    {
        setMouseTracking(false);
        setAttribute(Qt::WA_OpaquePaintEvent);
        setMinimumHeight(AxisHeight + 40);
        setFocusPolicy(Qt::ClickFocus);
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        m_view->paintCanvas(&painter);
    }
    void resizeEvent(QResizeEvent *) override
    {
        m_view->m_dirty = true;
        m_view->updateScrollBars();
    }
    void mousePressEvent(QMouseEvent *event) override
    {
        if (event->button() != Qt::LeftButton)
            return;
        m_pressAt = event->position().toPoint();
        m_pressStart = m_view->m_start;
        m_dragging = false;
    }
    void mouseMoveEvent(QMouseEvent *event) override
    {
        if (!(event->buttons() & Qt::LeftButton))
            return;
        const int dx = event->position().toPoint().x() - m_pressAt.x();
        if (!m_dragging && std::abs(dx) < 4)
            return;
        m_dragging = true;
        setCursor(Qt::ClosedHandCursor);
        const double nsPerPixel = double(m_view->m_span) / qMax(1, width() - Gutter);
        m_view->setStart(m_pressStart - qint64(dx * nsPerPixel), true);
    }
    void mouseReleaseEvent(QMouseEvent *event) override
    {
        if (event->button() != Qt::LeftButton)
            return;
        unsetCursor();
        if (m_dragging) {
            m_dragging = false;
            // Dragged back to the end: follow again.
            if (m_view->m_live && m_view->visibleEnd() >= m_view->now())
                m_view->setFollowing(true);
            return;
        }
        TimelineModel::Call call;
        if (m_view->m_model->findCallByKey(m_view->keyAt(event->position().toPoint()), &call)) {
            m_view->m_currentKey = call.key;
            m_view->setCurrentCall(call.id, call.link);
            m_view->m_canvas->update();
            emit m_view->callClicked(call.id, call.link);
        }
    }
    void wheelEvent(QWheelEvent *event) override
    {
        const int delta =
                event->angleDelta().y() ? event->angleDelta().y() : event->angleDelta().x();
        if (event->modifiers() & Qt::ControlModifier) {
            m_view->zoomAt(std::pow(1.25, delta / 120.0), event->position().x());
        } else if (!(event->modifiers() & Qt::ShiftModifier) && m_view->m_vbar->maximum() > 0
                   && event->angleDelta().y()) {
            m_view->m_vbar->setValue(m_view->m_vbar->value() - delta / 4);
        } else {
            const double nsPerPixel = double(m_view->m_span) / qMax(1, width() - Gutter);
            m_view->setStart(m_view->m_start - qint64(delta / 2 * nsPerPixel), true);
        }
        event->accept();
    }
    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ToolTip) {
            auto *help = static_cast<QHelpEvent *>(event);
            const QString text = m_view->toolTipAt(help->pos());
            if (text.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(help->globalPos(), text, this);
            return true;
        }
        return QWidget::event(event);
    }

private:
    TimelineView *m_view;
    QPoint m_pressAt;
    qint64 m_pressStart = 0;
    bool m_dragging = false;
};

// Where lanes and rows are on the canvas.
struct TimelineView::Geometry
{
    int width = 0;
    int height = 0;
    int laneHeight = 0;
    int top = 0; // the first lane's top (scrolled)
    qint64 start = 0;
    double nsPerPixel = 1;

    double xOf(qint64 t) const { return Gutter + double(t - start) / nsPerPixel; }
    qint64 timeAt(double x) const { return start + qint64((x - Gutter) * nsPerPixel); }
    int laneTop(int lane) const { return top + lane * laneHeight; }
    int rowsTop(int lane) const { return laneTop(lane) + 3 + BandHeight + 3; }
    int rowsHeight() const { return laneHeight - BandHeight - 10; }
    int displayRows(int rows) const { return qBound(1, rows, qMax(1, rowsHeight() / 4)); }
};

TimelineView::TimelineView(TimelineModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_canvas(new TimelineCanvas(this))
    , m_hbar(new QScrollBar(Qt::Horizontal, this))
    , m_vbar(new QScrollBar(Qt::Vertical, this))
    , m_follow(new QToolButton(this))
    , m_scale(new QLabel(this))
{
    auto button = [this](const QString &text, const QString &tip, const QString &name) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setObjectName(name);
        return b;
    };
    QToolButton *out = button(u"−"_s, tr("Zoom out (Ctrl+wheel)"), u"zoomOut"_s);
    QToolButton *in = button(u"+"_s, tr("Zoom in (Ctrl+wheel)"), u"zoomIn"_s);
    QToolButton *fitButton = button(tr("Fit"), tr("Show the whole capture"), u"fit"_s);
    m_follow->setText(tr("Follow"));
    m_follow->setToolTip(tr("Keep \"now\" in view while live"));
    m_follow->setObjectName(u"follow"_s);
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    connect(out, &QToolButton::clicked, this, [this] { zoom(1 / 1.5); });
    connect(in, &QToolButton::clicked, this, [this] { zoom(1.5); });
    connect(fitButton, &QToolButton::clicked, this, &TimelineView::fit);
    connect(m_follow, &QToolButton::toggled, this, &TimelineView::setFollowing);

    auto swatch = [](const QColor &color, const QString &text) {
        return u"<span style=\"color:%1\">&#9632;</span>&nbsp;%2"_s.arg(color.name(), text);
    };
    auto *legend = new QLabel(this);
    legend->setTextFormat(Qt::RichText);
    legend->setText(QStringList {
            swatch(outcomeColor(TimelineModel::Outcome::Running), tr("running")),
            swatch(outcomeColor(TimelineModel::Outcome::Ok), tr("ok")),
            swatch(outcomeColor(TimelineModel::Outcome::Error), tr("error")),
            swatch(outcomeColor(TimelineModel::Outcome::Cancelled), tr("cancelled")),
            swatch(outcomeColor(TimelineModel::Outcome::Crashed), tr("crashed")),
            swatch(ReadyColor, tr("process")),
            swatch(CrashColor, tr("✕ crash")),
            swatch(BackoffColor, tr("restart backoff")),
    }
                            .join(u"&nbsp;&nbsp; "_s));

    auto *tools = new QHBoxLayout;
    tools->setContentsMargins(0, 0, 0, 0);
    tools->addWidget(out);
    tools->addWidget(in);
    tools->addWidget(fitButton);
    tools->addWidget(m_follow);
    tools->addWidget(m_scale);
    tools->addSpacing(12);
    tools->addWidget(legend, 1);
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(2, 2, 2, 2);
    grid->setSpacing(0);
    grid->addLayout(tools, 0, 0, 1, 2);
    grid->addWidget(m_canvas, 1, 0);
    grid->addWidget(m_vbar, 1, 1);
    grid->addWidget(m_hbar, 2, 0);
    grid->setRowStretch(1, 1);
    grid->setColumnStretch(0, 1);

    connect(m_hbar, &QScrollBar::valueChanged, this, [this](int value) {
        if (m_updatingBars)
            return;
        // Read before setStart(): it sets the bar's range again from the
        // time now, which has moved on, so the end is no longer the end.
        const bool atEnd = value >= m_hbar->maximum();
        const qint64 start = m_model->firstTime() + qint64(value) * m_barUnit;
        setStart(start, true);
        if (m_live && atEnd)
            setFollowing(true);
    });
    connect(m_vbar, &QScrollBar::valueChanged, m_canvas, qOverload<>(&QWidget::update));
    connect(m_model, &TimelineModel::changed, this, [this] {
        m_dirty = true;
        if (m_model->callCount() == 0 && m_model->lastTime() == 0) { // a new capture
            m_current = 0;
            m_currentKey = 0;
            m_stoppedAt = 0;
            m_autoFit = true;
            setFollowing(true);
        }
    });
    // Repaints at most 20 times a second, and only when something changed
    // or time runs (live).
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &TimelineView::tick);
    m_timer.start();
    updateScaleLabel();
}

TimelineView::~TimelineView() = default;

TimelineModel *TimelineView::model() const
{
    return m_model;
}

void TimelineView::setLive(qint64 poolClock)
{
    m_live = true;
    m_clockAtLive = poolClock;
    m_liveClock.start();
    m_dirty = true;
}

void TimelineView::setStopped(qint64 t)
{
    if (m_live)
        t = qMax(t, now());
    m_live = false;
    m_stoppedAt = t;
    m_dirty = true;
}

bool TimelineView::isLive() const
{
    return m_live;
}

qint64 TimelineView::now() const
{
    if (m_live)
        return qMax(m_model->lastTime(), m_clockAtLive + m_liveClock.nsecsElapsed());
    return qMax(m_stoppedAt, m_model->lastTime());
}

qint64 TimelineView::endOfTime() const
{
    return qMax(now(), m_model->lastTime());
}

qint64 TimelineView::visibleStart() const
{
    return m_start;
}

qint64 TimelineView::visibleEnd() const
{
    return m_start + m_span;
}

void TimelineView::setVisibleRange(qint64 from, qint64 to)
{
    m_autoFit = false;
    m_span = qMax(MinSpan, to - from);
    updateScaleLabel();
    setFollowing(false);
    setStart(from, false);
    m_canvas->update();
}

void TimelineView::setStart(qint64 start, bool byUser)
{
    if (byUser) {
        m_autoFit = false;
        if (m_follow->isChecked()) {
            const QSignalBlocker blocker(m_follow);
            m_follow->setChecked(false);
        }
    }
    if (start == m_start)
        return;
    m_start = start;
    m_dirty = true;
    updateScrollBars();
    m_canvas->update();
    emit visibleRangeChanged();
}

void TimelineView::setFollowing(bool follow)
{
    if (m_follow->isChecked() != follow) {
        const QSignalBlocker blocker(m_follow);
        m_follow->setChecked(follow);
    }
    if (follow)
        applyFollow();
}

bool TimelineView::isFollowing() const
{
    return m_follow->isChecked();
}

// While following: the right edge at now (a small margin after it), the
// whole capture while it is short (autoFit).
void TimelineView::applyFollow()
{
    const qint64 end = endOfTime();
    if (m_autoFit) {
        const qint64 first = m_model->firstTime();
        qint64 span = qMax<qint64>(Second, end - first);
        if (m_live && span > AutoFitLimit) {
            m_autoFit = false;
            span = AutoFitLimit;
        }
        m_span = qMax(MinSpan, span + span / 25);
    }
    setStart(end + m_span / 50 - m_span, false);
    updateScaleLabel();
}

void TimelineView::fit()
{
    const qint64 first = m_model->firstTime();
    const qint64 span = qMax<qint64>(MinSpan, endOfTime() - first);
    m_span = span + span / 25;
    m_autoFit = m_live;
    if (m_live) {
        setFollowing(true);
    } else {
        setStart(first - span / 100, false);
        updateScaleLabel();
    }
    m_canvas->update();
}

void TimelineView::zoom(double factor)
{
    zoomAt(factor, isFollowing() ? m_canvas->width() : Gutter + (m_canvas->width() - Gutter) / 2);
}

void TimelineView::zoomAt(double factor, double x)
{
    if (factor <= 0)
        return;
    m_autoFit = false;
    const Geometry g = geometry();
    const qint64 anchor = g.timeAt(x);
    const qint64 maxSpan = qMax<qint64>(10 * Second, 2 * (endOfTime() - m_model->firstTime()));
    m_span = qBound(MinSpan, qint64(double(m_span) / factor), maxSpan);
    const double nsPerPixel = double(m_span) / qMax(1, m_canvas->width() - Gutter);
    updateScaleLabel();
    if (isFollowing())
        applyFollow();
    else
        setStart(anchor - qint64((x - Gutter) * nsPerPixel), false);
    m_dirty = true;
    m_canvas->update();
}

void TimelineView::setCurrentCall(qint64 id, qint64 link)
{
    if (m_current == id && m_currentLink == link)
        return;
    m_current = id;
    m_currentLink = link;
    TimelineModel::Call call;
    if (!id || !m_model->findCallByKey(m_currentKey, &call) || call.id != id
        || (link > 0 && call.link != link))
        m_currentKey = m_model->keyOf(id, link);
    if (id && m_model->findCallByKey(m_currentKey, &call)) {
        const qint64 end = call.running() ? now() : call.end;
        // Out of view: centre it (the user asked for it: stop following).
        if (end < m_start || call.start > m_start + m_span) {
            setFollowing(false);
            m_autoFit = false;
            setStart((call.start + end) / 2 - m_span / 2, false);
        }
    }
    m_canvas->update();
}

qint64 TimelineView::currentCall() const
{
    return m_current;
}

// The current call's key if it has this id, else the latest call's with it.
qint64 TimelineView::keyFor(qint64 id) const
{
    return id == m_current && m_currentKey ? m_currentKey : m_model->keyOf(id);
}

QWidget *TimelineView::canvas() const
{
    return m_canvas;
}

TimelineView::Geometry TimelineView::geometry() const
{
    Geometry g;
    g.width = m_canvas->width();
    g.height = m_canvas->height();
    const int lanes = qMax(1, m_model->laneCount());
    g.laneHeight = qBound(36, (g.height - AxisHeight) / lanes, 72);
    g.top = AxisHeight - m_vbar->value();
    g.start = m_start;
    g.nsPerPixel = double(m_span) / qMax(1, g.width - Gutter);
    return g;
}

void TimelineView::updateScrollBars()
{
    const Geometry g = geometry();
    m_updatingBars = true;
    const int overflow = AxisHeight + m_model->laneCount() * g.laneHeight - g.height;
    m_vbar->setRange(0, qMax(0, overflow));
    m_vbar->setPageStep(qMax(1, g.height - AxisHeight));
    m_vbar->setVisible(overflow > 0);
    const qint64 first = m_model->firstTime();
    const qint64 total = qMax(endOfTime() - first, m_span);
    m_barUnit = qMax<qint64>(1, m_span / 1000);
    const qint64 start = qBound(first, m_start, first + total - m_span);
    m_hbar->setRange(0, int(qMin<qint64>(INT_MAX, (total - m_span) / m_barUnit)));
    m_hbar->setPageStep(int(qMin<qint64>(INT_MAX, m_span / m_barUnit)));
    m_hbar->setSingleStep(qMax(1, m_hbar->pageStep() / 10));
    m_hbar->setValue(int(qMin<qint64>(INT_MAX, (start - first) / m_barUnit)));
    m_updatingBars = false;
}

void TimelineView::updateScaleLabel()
{
    m_scale->setText(tr("%1 shown").arg(durationText(m_span)));
}

void TimelineView::tick()
{
    if (!isVisible())
        return;
    // A paint may take at most a fifth of the time: with a large capture
    // (or a slow machine) the view repaints less often than 20 times a second.
    if (m_sincePaint.isValid() && m_sincePaint.elapsed() < 5 * m_paintMs)
        return;
    if (isFollowing() && (m_live || m_dirty))
        applyFollow();
    if (m_live || m_dirty) {
        m_dirty = false;
        updateScrollBars();
        m_canvas->update();
    }
}

void TimelineView::paintCanvas(QPainter *painter)
{
    QElapsedTimer timer;
    timer.start();
    const auto measure = qScopeGuard([&] {
        m_paintMs = timer.elapsed();
        m_sincePaint.start();
    });
    const Geometry g = geometry();
    painter->fillRect(m_canvas->rect(), palette().base());
    painter->save();
    painter->setClipRect(QRect(0, AxisHeight, g.width, g.height - AxisHeight));
    for (int lane = 0; lane < m_model->laneCount(); ++lane) {
        if (g.laneTop(lane) + g.laneHeight < AxisHeight || g.laneTop(lane) > g.height)
            continue;
        paintLane(painter, g, lane);
    }
    painter->restore();
    paintAxis(painter, g);
    if (m_live) {
        const double x = g.xOf(now());
        if (x >= Gutter && x <= g.width) {
            painter->setPen(QPen(QColor(0xd5, 0x00, 0x00, 160), 1, Qt::DashLine));
            painter->drawLine(QPointF(x, AxisHeight - 4), QPointF(x, g.height));
        }
    }
    if (m_model->laneCount() == 0) {
        painter->setPen(palette().color(QPalette::PlaceholderText));
        painter->drawText(m_canvas->rect().adjusted(Gutter, AxisHeight, 0, 0), Qt::AlignCenter,
                          tr("No capture: attach to a pool or open a capture file."));
    }
}

void TimelineView::paintAxis(QPainter *painter, const Geometry &g)
{
    painter->fillRect(QRect(0, 0, g.width, AxisHeight), palette().window());
    painter->setPen(palette().color(QPalette::Mid));
    painter->drawLine(0, AxisHeight - 1, g.width, AxisHeight - 1);
    painter->drawLine(Gutter - 1, 0, Gutter - 1, g.height);
    const QFontMetrics metrics = painter->fontMetrics();
    // Ticks 1, 2 or 5 times a power of ten apart, labels not closer than their width.
    const double minStep = (metrics.horizontalAdvance(u"0000.000000 s"_s) + 12) * g.nsPerPixel;
    double step = 1;
    for (double power = 1; step < minStep; power *= 10) {
        for (const double m : { 1.0, 2.0, 5.0 }) {
            step = m * power;
            if (step >= minStep)
                break;
        }
    }
    const int decimals = step >= 1e9 ? 0 : qBound(0, int(std::ceil(9 - std::log10(step))), 9);
    const qint64 stepNs = qMax<qint64>(1, qint64(step));
    const qint64 end = g.timeAt(g.width);
    for (qint64 t = (g.start / stepNs) * stepNs; t <= end; t += stepNs) {
        const double x = g.xOf(t);
        if (x < Gutter)
            continue;
        painter->setPen(QColor(0, 0, 0, 28));
        painter->drawLine(QPointF(x, AxisHeight), QPointF(x, g.height));
        painter->setPen(palette().color(QPalette::Text));
        painter->drawLine(QPointF(x, AxisHeight - 5), QPointF(x, AxisHeight - 1));
        painter->drawText(QPointF(x + 3, AxisHeight - 7), timeText(t, decimals));
    }
    painter->fillRect(QRect(0, 0, Gutter - 1, AxisHeight - 1), palette().window());
    painter->setPen(palette().color(QPalette::Text));
    painter->drawText(QRect(4, 0, Gutter - 8, AxisHeight - 1), Qt::AlignVCenter | Qt::AlignLeft,
                      tr("pool clock"));
}

void TimelineView::paintLane(QPainter *painter, const Geometry &g, int lane)
{
    const int top = g.laneTop(lane);
    const qint64 from = g.timeAt(Gutter - 2);
    const qint64 to = g.timeAt(g.width + 2);
    const qint64 nowT = now();
    const double right = g.width + 10.0;
    auto clampX = [&](double x) { return qBound(Gutter - 10.0, x, right); };
    if (lane % 2)
        painter->fillRect(QRect(Gutter, top, g.width - Gutter, g.laneHeight),
                          palette().alternateBase());
    painter->setPen(QColor(0, 0, 0, 40));
    painter->drawLine(0, top + g.laneHeight - 1, g.width, top + g.laneHeight - 1);

    // The processes: starting (light), ready (dark), the exit, the backoff.
    const std::vector<TimelineModel::Process> &processes = m_model->processes(lane);
    QFont small = painter->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->save();
    painter->setFont(small);
    const int bandTop = top + 3;
    for (size_t i = 0; i < processes.size(); ++i) {
        const TimelineModel::Process &p = processes[i];
        const qint64 end = p.exited() ? p.end : nowT;
        const TimelineModel::Process *next = i + 1 < processes.size() ? &processes[i + 1] : nullptr;
        qint64 gapEnd = -1;
        if (p.exited()) {
            if (next)
                gapEnd = next->start;
            else if (p.gaveUpAt >= 0 || p.idle)
                gapEnd = nowT;
            else if (p.restartScheduledAt >= 0)
                gapEnd = qMin(nowT, p.restartScheduledAt + p.restartDelayMs * 1000000);
        }
        if (qMax(end, gapEnd) < from || p.start > to)
            continue;
        const double x0 = clampX(g.xOf(p.start));
        const double xr = p.ready >= 0 ? clampX(g.xOf(p.ready)) : -1;
        const double x1 = clampX(g.xOf(end));
        const QRectF band(x0, bandTop, qMax(1.0, x1 - x0), BandHeight);
        painter->fillRect(band, StartingColor);
        if (xr >= 0)
            painter->fillRect(QRectF(xr, bandTop, qMax(1.0, x1 - xr), BandHeight), ReadyColor);
        if ((p.pid || !p.endpoint.isEmpty()) && x1 - qMax(x0, xr) > 70) {
            painter->setPen(Qt::white);
            painter->drawText(QRectF(qMax(qMax(x0, xr), double(Gutter)) + 4, bandTop,
                                     x1 - qMax(x0, xr) - 8, BandHeight),
                              Qt::AlignVCenter | Qt::AlignLeft, p.name());
        }
        if (gapEnd > end) {
            const double g1 = clampX(g.xOf(gapEnd));
            const QRectF gap(x1, bandTop, qMax(2.0, g1 - x1), BandHeight);
            const QColor color =
                    p.gaveUpAt >= 0 ? GaveUpColor : (p.idle ? IdleColor : BackoffColor);
            // Hatched across the lane: no process, no calls.
            QColor faint = color;
            faint.setAlpha(110);
            painter->fillRect(QRectF(x1, top + 1, gap.width(), g.laneHeight - 3),
                              QBrush(faint, Qt::BDiagPattern));
            painter->fillRect(gap, QBrush(color, Qt::BDiagPattern));
            painter->setPen(color);
            painter->drawRect(gap.adjusted(0, 0, -0.5, -0.5));
            const QString label = p.gaveUpAt >= 0
                    ? tr("gave up")
                    : (p.idle ? tr("idle: no address")
                              : tr("backoff %1 ms").arg(qMax<qint64>(0, p.restartDelayMs)));
            if (gap.width() > painter->fontMetrics().horizontalAdvance(label) + 8) {
                painter->setPen(color.darker(130));
                painter->drawText(gap.adjusted(4, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
                                  label);
            }
        }
        if (p.exited() && x1 > Gutter - 8 && x1 < right) {
            if (p.crashed()) {
                painter->setPen(QPen(CrashColor, 2));
                painter->drawLine(QPointF(x1, top + 1), QPointF(x1, top + g.laneHeight - 2));
                const QRectF mark(x1 - 7, top + 1, 14, 14);
                painter->setBrush(CrashColor);
                painter->setPen(Qt::NoPen);
                painter->drawEllipse(mark);
                painter->setPen(QPen(Qt::white, 2));
                painter->drawLine(mark.center() + QPointF(-3, -3), mark.center() + QPointF(3, 3));
                painter->drawLine(mark.center() + QPointF(-3, 3), mark.center() + QPointF(3, -3));
                painter->setBrush(Qt::NoBrush);
            } else if (p.recycled()) {
                painter->setPen(QPen(RecycledColor, 2));
                painter->drawLine(QPointF(x1, top + 1), QPointF(x1, top + g.laneHeight - 2));
                painter->drawText(QRectF(x1 + 3, top + 1, 70, BandHeight + 2),
                                  Qt::AlignVCenter | Qt::AlignLeft, tr("↻ recycled"));
            } else {
                painter->setPen(QPen(ReadyColor.darker(150), 2));
                painter->drawLine(QPointF(x1, bandTop - 1), QPointF(x1, bandTop + BandHeight + 1));
            }
        }
        if (p.gaveUpAt >= 0) {
            const double xg = g.xOf(p.gaveUpAt);
            if (xg > Gutter - 8 && xg < right) {
                painter->setPen(QPen(GaveUpColor, 3));
                painter->drawLine(QPointF(xg, top + 1), QPointF(xg, top + g.laneHeight - 2));
            }
        }
    }
    painter->restore();

    // The calls, row by row: a binary search for the first visible one;
    // calls that fall within a pixel already drawn are skipped over.
    const int rows = m_model->rowCount(lane);
    const int display = g.displayRows(rows);
    const int rowsTop = g.rowsTop(lane);
    const double rowHeight = double(g.rowsHeight()) / display;
    const double spanHeight = qMax(2.0, rowHeight - (rowHeight >= 6 ? 1 : 0));
    QRectF currentRect;
    // The rows past the last display row share it: which of its pixel
    // columns are drawn already, so that each is drawn about once.
    const int left = Gutter - 10;
    std::vector<quint8> covered(rows > display ? size_t(g.width + 22 - left) : 0);
    auto pixel = [&](double x) {
        return qBound(0, int(std::floor(x)) - left, int(covered.size()) - 1);
    };
    for (int row = 0; row < rows; ++row) {
        const bool shared = rows > display && row >= display - 1;
        const double y = rowsTop + qMin(row, display - 1) * rowHeight;
        const std::deque<TimelineModel::Call> &calls = m_model->rowCalls(lane, row);
        double lastX = -1e9;
        qsizetype i = m_model->lowerBound(lane, row, from);
        while (i < qsizetype(calls.size()) && calls[size_t(i)].start <= to) {
            const TimelineModel::Call &c = calls[size_t(i)];
            const double x0 = clampX(g.xOf(c.start));
            const double x1 = qMax(x0 + 1, clampX(g.xOf(c.running() ? nowT : c.end)));
            const bool current = c.key == m_currentKey;
            if (current)
                currentRect = QRectF(x0, y, x1 - x0, spanHeight);
            if (std::floor(x1) <= lastX && !current) {
                // Within the pixel drawn last: jump to the first call past it.
                const qsizetype next = m_model->lowerBound(lane, row, g.timeAt(lastX + 1));
                i = qMax(i + 1, next);
                continue;
            }
            if (shared && !current) {
                const int p0 = pixel(x0);
                const int p1 = pixel(x1 - 0.001);
                int p = p0;
                while (p <= p1 && covered[size_t(p)])
                    ++p;
                if (p > p1) {
                    // Drawn already by another row: jump to the first pixel not drawn.
                    while (p < int(covered.size()) && covered[size_t(p)])
                        ++p;
                    if (p >= int(covered.size()))
                        break;
                    const qsizetype next =
                            m_model->lowerBound(lane, row, g.timeAt(double(p + left)));
                    i = qMax(i + 1, next);
                    continue;
                }
                std::fill(covered.begin() + p0, covered.begin() + p1 + 1, quint8(1));
            }
            painter->fillRect(QRectF(x0, y, x1 - x0, spanHeight), outcomeColor(c.outcome));
            lastX = std::floor(x1);
            ++i;
        }
    }
    // Failed calls too narrow to be sure to show: drawn again on top.
    for (const TimelineModel::Call &c : m_model->failedCalls(lane, from, to)) {
        int row = 0;
        if (!m_model->findCallByKey(c.key, nullptr, nullptr, &row))
            continue;
        const double x0 = g.xOf(c.start);
        const double x1 = g.xOf(c.end);
        if (x1 - x0 >= 2)
            continue;
        const double y = rowsTop + qMin(row, display - 1) * rowHeight;
        painter->fillRect(QRectF(x0, y, qMax(2.0, x1 - x0), spanHeight), outcomeColor(c.outcome));
    }
    if (!currentRect.isNull()) {
        painter->setPen(QPen(palette().color(QPalette::Highlight), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(currentRect.adjusted(-2, -2, 2, 2));
    }

    // The lane's label, over what scrolled under it.
    painter->fillRect(QRect(0, top, Gutter - 1, g.laneHeight - 1), palette().window());
    painter->setPen(palette().color(QPalette::Text));
    QFont bold = painter->font();
    bold.setBold(true);
    painter->save();
    painter->setFont(bold);
    painter->drawText(QRect(6, top + 2, Gutter - 10, g.laneHeight / 2),
                      Qt::AlignLeft | Qt::AlignVCenter, tr("worker %1").arg(lane));
    painter->restore();
    if (!processes.empty()) {
        const TimelineModel::Process &last = processes.back();
        QString state = last.pid || !last.endpoint.isEmpty() ? last.name() : QString();
        if (last.gaveUpAt >= 0)
            state = tr("gave up");
        else if (last.idle)
            state = tr("idle");
        else if (last.exited())
            state = tr("restarting");
        painter->setPen(last.exited() && !last.idle ? CrashColor : palette().color(QPalette::Text));
        painter->drawText(QRect(6, top + g.laneHeight / 2, Gutter - 10, g.laneHeight / 2 - 2),
                          Qt::AlignLeft | Qt::AlignVCenter, state);
    }
}

QRect TimelineView::callRect(qint64 id) const
{
    TimelineModel::Call call;
    int lane = 0;
    int row = 0;
    if (!m_model->findCallByKey(keyFor(id), &call, &lane, &row))
        return QRect();
    const Geometry g = geometry();
    const int display = g.displayRows(m_model->rowCount(lane));
    const double rowHeight = double(g.rowsHeight()) / display;
    const double x0 = qMax(double(Gutter), g.xOf(call.start));
    const double x1 = qMin(double(g.width), qMax(x0 + 1, g.xOf(call.running() ? now() : call.end)));
    const double y = g.rowsTop(lane) + qMin(row, display - 1) * rowHeight;
    const QRect rect = QRectF(x0, y, x1 - x0, qMax(2.0, rowHeight - 1)).toAlignedRect();
    return rect.intersected(QRect(Gutter, AxisHeight, g.width - Gutter, g.height - AxisHeight));
}

QRect TimelineView::crashMarkRect(int lane, int process) const
{
    const std::vector<TimelineModel::Process> &processes = m_model->processes(lane);
    if (process < 0 || process >= int(processes.size()) || !processes[size_t(process)].crashed())
        return QRect();
    const Geometry g = geometry();
    const double x = g.xOf(processes[size_t(process)].end);
    if (x < Gutter || x > g.width)
        return QRect();
    return QRectF(x - 7, g.laneTop(lane) + 1, 14, 14).toAlignedRect();
}

qint64 TimelineView::callAt(const QPoint &pos) const
{
    TimelineModel::Call call;
    return m_model->findCallByKey(keyAt(pos), &call) ? call.id : 0;
}

qint64 TimelineView::keyAt(const QPoint &pos) const
{
    const Geometry g = geometry();
    if (pos.x() < Gutter || pos.y() < AxisHeight)
        return 0;
    const int lane = (pos.y() - g.top) / g.laneHeight;
    if (lane < 0 || lane >= m_model->laneCount())
        return 0;
    const int rows = m_model->rowCount(lane);
    const int display = g.displayRows(rows);
    const double rowHeight = double(g.rowsHeight()) / display;
    const int displayRow = int(std::floor((pos.y() - g.rowsTop(lane)) / rowHeight));
    if (displayRow < 0 || displayRow >= display || pos.y() < g.rowsTop(lane))
        return 0;
    // The last display row holds the rows past it too.
    const int lastRow = displayRow == display - 1 ? rows - 1 : displayRow;
    const qint64 t = g.timeAt(pos.x());
    const qint64 tolerance = qint64(3 * g.nsPerPixel);
    const qint64 nowT = now();
    qint64 best = 0;
    qint64 bestDistance = tolerance + 1;
    for (int row = displayRow; row <= lastRow; ++row) {
        const std::deque<TimelineModel::Call> &calls = m_model->rowCalls(lane, row);
        for (size_t i = size_t(m_model->lowerBound(lane, row, t - tolerance));
             i < calls.size() && calls[i].start <= t + tolerance; ++i) {
            const qint64 end = calls[i].running() ? nowT : calls[i].end;
            const qint64 distance =
                    t < calls[i].start ? calls[i].start - t : (t > end ? t - end : 0);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = calls[i].key;
            }
        }
    }
    return best;
}

QString TimelineView::toolTipAt(const QPoint &pos) const
{
    TimelineModel::Call call;
    if (m_model->findCallByKey(keyAt(pos), &call)) {
        const qint64 id = call.id;
        const QString duration = call.running()
                ? tr("running for %1").arg(durationText(now() - call.start))
                : durationText(call.end - call.start);
        return tr("<b>call %1</b> %2<br>%3, %4<br>started at %5 s")
                .arg(call.connection >= 0 ? tr("%1 (connection %2)").arg(id).arg(call.connection)
                                          : QString::number(id))
                .arg(m_model->methodName(call.method).toHtmlEscaped())
                .arg(call.running() ? tr("running") : m_model->codeName(call.code))
                .arg(duration)
                .arg(double(call.start) / 1e9, 0, 'f', 6);
    }
    const Geometry g = geometry();
    const int lane = (pos.y() - g.top) / g.laneHeight;
    if (pos.y() < AxisHeight || lane < 0 || lane >= m_model->laneCount())
        return QString();
    const qint64 t = g.timeAt(pos.x());
    const qint64 tolerance = qint64(5 * g.nsPerPixel);
    const std::vector<TimelineModel::Process> &processes = m_model->processes(lane);
    for (size_t i = 0; i < processes.size(); ++i) {
        const TimelineModel::Process &p = processes[i];
        const qint64 end = p.exited() ? p.end : now();
        QStringList lines;
        if (p.exited() && std::abs(t - p.end) <= tolerance) {
            const QString what = p.crashed()
                    ? (p.lost ? tr("connection lost") : tr("crashed"))
                    : (p.recycled() ? tr("recycled") : (p.idle ? tr("idle") : tr("exited")));
            lines << tr("<b>worker %1, %2: %3</b>").arg(lane).arg(p.name().toHtmlEscaped(), what);
            lines << p.exitText().toHtmlEscaped();
        } else if (t >= p.start && t <= end) {
            lines << tr("<b>worker %1, %2</b>").arg(lane).arg(p.name().toHtmlEscaped());
            lines << tr("started at %1 s").arg(double(p.start) / 1e9, 0, 'f', 3);
            if (p.ready >= 0)
                lines << tr("ready after %1").arg(durationText(p.ready - p.start));
            if (p.exited())
                lines << tr("ran %1; %2")
                                 .arg(durationText(end - p.start), p.exitText().toHtmlEscaped());
        } else if (p.exited()) {
            const qint64 gapEnd = i + 1 < processes.size() ? processes[i + 1].start : now();
            if (t > p.end && t < gapEnd) {
                if (p.gaveUpAt >= 0)
                    lines << tr("<b>worker %1: the pool gave up</b>").arg(lane)
                          << p.gaveUpReason.toHtmlEscaped();
                else if (p.idle)
                    lines << tr("<b>worker %1: idle, waiting for an address</b>").arg(lane);
                else
                    lines << tr("<b>worker %1: restart backoff</b>").arg(lane)
                          << tr("restart after %1 ms").arg(p.restartDelayMs);
                lines << p.exitText().toHtmlEscaped();
            }
        }
        if (!lines.isEmpty())
            return lines.join(u"<br>"_s);
    }
    return QString();
}
