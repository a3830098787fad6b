// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "benchsupport.h"

#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qprocess.h>
#include <QtCore/qsysinfo.h>
#include <QtCore/qthread.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace Bench {

int Row::met() const
{
    const double value = metric.goal == Goal::RatioAtMost || metric.goal == Goal::RatioAtLeast
            ? ratio()
            : library;
    if (metric.goal == Goal::None || qIsNaN(value))
        return -1;
    switch (metric.goal) {
    case Goal::RatioAtMost:
    case Goal::AtMost:
        return value <= metric.target ? 1 : 0;
    case Goal::RatioAtLeast:
    case Goal::AtLeast:
        return value >= metric.target ? 1 : 0;
    case Goal::None:
        break;
    }
    return -1;
}

QString Row::targetText() const
{
    const QString n = QString::number(metric.target);
    switch (metric.goal) {
    case Goal::RatioAtMost:
        return QStringLiteral("<= %1x floor").arg(n);
    case Goal::RatioAtLeast:
        return QStringLiteral(">= %1x floor").arg(n);
    case Goal::AtMost:
        return QStringLiteral("< %1 %2").arg(n, metric.unit);
    case Goal::AtLeast:
        return QStringLiteral(">= %1 %2").arg(n, metric.unit);
    case Goal::None:
        break;
    }
    return QString();
}

double median(QList<double> values)
{
    return percentile(std::move(values), 50);
}

// Nearest-rank percentile.
double percentile(QList<double> values, double p)
{
    values.removeIf([](double v) { return qIsNaN(v); });
    if (values.isEmpty())
        return qQNaN();
    std::sort(values.begin(), values.end());
    if (p == 50 && values.size() % 2 == 0) {
        const qsizetype i = values.size() / 2;
        return (values.at(i - 1) + values.at(i)) / 2;
    }
    const auto rank = qsizetype(std::ceil(p / 100.0 * double(values.size())));
    return values.at(std::clamp<qsizetype>(rank - 1, 0, values.size() - 1));
}

qint64 procStatusKiB(qint64 pid, const char *field)
{
    QFile file(pid == 0 ? QStringLiteral("/proc/self/status")
                        : QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(prefix)) {
            const QByteArray number = line.mid(prefix.size()).trimmed().split(' ').value(0);
            return number.toLongLong();
        }
    }
    return -1;
}

bool resetPeakRss(qint64 pid)
{
    QFile file(pid == 0 ? QStringLiteral("/proc/self/clear_refs")
                        : QStringLiteral("/proc/%1/clear_refs").arg(pid));
    return file.open(QIODevice::WriteOnly) && file.write("5") == 1;
}

double loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return qQNaN();
    return file.readAll().split(' ').value(0).toDouble();
}

static QString commandOutput(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(10000))
        return QString();
    return QString::fromLocal8Bit(process.readAll()).trimmed();
}

static QString cpuModel()
{
    QFile file(QStringLiteral("/proc/cpuinfo"));
    if (file.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.startsWith("model name"))
                return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
        }
    }
    return QSysInfo::currentCpuArchitecture();
}

QJsonObject machineInfo(const QString &python)
{
    QJsonObject machine;
    machine.insert(QStringLiteral("os"), QSysInfo::prettyProductName());
    machine.insert(QStringLiteral("kernel"), QSysInfo::kernelVersion());
    machine.insert(QStringLiteral("cpu"), cpuModel());
    machine.insert(QStringLiteral("cpus"), QThread::idealThreadCount());
    machine.insert(QStringLiteral("qt"), QString::fromLatin1(qVersion()));
    machine.insert(QStringLiteral("compiler"), QStringLiteral("gcc-compatible " __VERSION__));
    machine.insert(QStringLiteral("build_type"), QStringLiteral(QGB_BENCH_BUILD_TYPE));
    machine.insert(QStringLiteral("python"),
                   commandOutput(python, { QStringLiteral("--version") }) + QStringLiteral(" (")
                           + python + QLatin1Char(')'));
    machine.insert(QStringLiteral("commit"),
                   commandOutput(QStringLiteral("git"),
                                 { QStringLiteral("-C"), QStringLiteral(QGB_BENCH_SOURCE_DIR),
                                   QStringLiteral("describe"), QStringLiteral("--always"),
                                   QStringLiteral("--dirty") }));
    return machine;
}

void printMachine(const QJsonObject &machine)
{
    std::printf("Machine: %s, %s, %d x %s\n", qPrintable(machine.value(u"os").toString()),
                qPrintable(machine.value(u"kernel").toString()), machine.value(u"cpus").toInt(),
                qPrintable(machine.value(u"cpu").toString()));
    std::printf("Versions: Qt %s, %s, %s, build %s, commit %s\n",
                qPrintable(machine.value(u"qt").toString()),
                qPrintable(machine.value(u"python").toString()),
                qPrintable(machine.value(u"compiler").toString()),
                qPrintable(machine.value(u"build_type").toString()),
                qPrintable(machine.value(u"commit").toString()));
    std::fflush(stdout);
}

static QString formatValue(double value, const QString &unit)
{
    if (qIsNaN(value))
        return QStringLiteral("-");
    const double a = std::fabs(value);
    const int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 1 : 2;
    QString text = QString::number(value, 'f', decimals);
    if (a >= 10000) { // thousands separators for readability
        for (qsizetype i = text.size() - 3; i > (value < 0 ? 1 : 0); i -= 3)
            text.insert(i, QLatin1Char(','));
    }
    return unit.isEmpty() ? text : text + QLatin1Char(' ') + unit;
}

static QString ratioText(bool has, double ratio)
{
    return has ? QStringLiteral("%1x").arg(ratio, 0, 'f', 2) : QStringLiteral("-");
}

void printTable(const QList<Row> &rows)
{
    const bool withBridge =
            std::any_of(rows.cbegin(), rows.cend(), [](const Row &row) { return row.hasBridge(); });
    QStringList header = { QStringLiteral("workload"), QStringLiteral("library"),
                           QStringLiteral("floor") };
    if (withBridge)
        header << QStringLiteral("bridge");
    header << QStringLiteral("ratio");
    if (withBridge)
        header << QStringLiteral("ratio to bridge");
    header << QStringLiteral("target") << QStringLiteral("met");
    // The workload, target and met columns are left-aligned, figures right-aligned.
    const qsizetype firstText = header.size() - 2;
    QList<QStringList> lines;
    for (const Row &row : rows) {
        QString met;
        switch (row.met()) {
        case 1:
            met = QStringLiteral("yes");
            break;
        case 0:
            met = QStringLiteral("NO");
            break;
        default:
            met = row.metric.goal == Goal::None ? QString() : QStringLiteral("?");
        }
        if (!row.error.isEmpty())
            met = QStringLiteral("FAILED");
        QStringList line = { QStringLiteral("%1 %2").arg(row.workload, row.metric.label),
                             formatValue(row.library, row.metric.unit),
                             formatValue(row.floor, row.metric.unit) };
        if (withBridge)
            line << (row.bridgeError.isEmpty() ? formatValue(row.bridge, row.metric.unit)
                                               : QStringLiteral("FAILED"));
        line << ratioText(row.hasRatio(), row.ratio());
        if (withBridge)
            line << ratioText(row.hasBridgeRatio(), row.ratioToBridge());
        line << row.targetText() << met;
        lines.append(line);
    }
    QList<qsizetype> widths(header.size(), 0);
    for (qsizetype c = 0; c < header.size(); ++c) {
        widths[c] = header.at(c).size();
        for (const QStringList &line : lines)
            widths[c] = std::max(widths[c], line.at(c).size());
    }
    auto print = [&](const QStringList &cells) {
        QString out;
        for (qsizetype c = 0; c < cells.size(); ++c) {
            out += c == 0 || c >= firstText ? cells.at(c).leftJustified(widths[c])
                                            : cells.at(c).rightJustified(widths[c]);
            out += c + 1 < cells.size() ? QStringLiteral(" | ") : QString();
        }
        std::printf("%s\n", qPrintable(out.trimmed()));
    };
    print(header);
    QStringList rule;
    for (qsizetype w : widths)
        rule.append(QString(w, QLatin1Char('-')));
    print(rule);
    for (const QStringList &line : lines)
        print(line);
    for (const Row &row : rows) {
        if (!row.error.isEmpty())
            std::printf("%s failed: %s\n", qPrintable(row.key), qPrintable(row.error));
        if (!row.bridgeError.isEmpty())
            std::printf("%s bridge failed: %s\n", qPrintable(row.key), qPrintable(row.bridgeError));
    }
    std::fflush(stdout);
}

static QJsonValue number(double value)
{
    return qIsNaN(value) ? QJsonValue() : QJsonValue(value);
}

static QJsonValue goalName(Goal goal)
{
    switch (goal) {
    case Goal::RatioAtMost:
        return QStringLiteral("ratio<=");
    case Goal::RatioAtLeast:
        return QStringLiteral("ratio>=");
    case Goal::AtMost:
        return QStringLiteral("<=");
    case Goal::AtLeast:
        return QStringLiteral(">=");
    case Goal::None:
        break;
    }
    return QJsonValue();
}

QJsonObject toJson(const QJsonObject &machine, const QJsonObject &run, const QList<Row> &rows)
{
    QJsonArray results;
    for (const Row &row : rows) {
        QJsonObject r;
        r.insert(QStringLiteral("key"), row.key);
        r.insert(QStringLiteral("workload"), row.workload);
        r.insert(QStringLiteral("metric"), row.metric.label);
        r.insert(QStringLiteral("unit"), row.metric.unit);
        r.insert(QStringLiteral("lower_is_better"), row.metric.lowerIsBetter);
        r.insert(QStringLiteral("library"), number(row.library));
        r.insert(QStringLiteral("floor"), number(row.floor));
        r.insert(QStringLiteral("ratio"), number(row.ratio()));
        r.insert(QStringLiteral("bridge"), number(row.bridge));
        r.insert(QStringLiteral("ratio_to_bridge"), number(row.ratioToBridge()));
        r.insert(QStringLiteral("target"), row.targetText());
        r.insert(QStringLiteral("goal"), goalName(row.metric.goal));
        r.insert(QStringLiteral("target_value"),
                 row.metric.goal == Goal::None ? QJsonValue() : QJsonValue(row.metric.target));
        r.insert(QStringLiteral("checked"), row.metric.checked);
        r.insert(QStringLiteral("met"), row.met() < 0 ? QJsonValue() : QJsonValue(row.met() == 1));
        if (!row.error.isEmpty())
            r.insert(QStringLiteral("error"), row.error);
        if (!row.bridgeError.isEmpty())
            r.insert(QStringLiteral("bridge_error"), row.bridgeError);
        results.append(r);
    }
    QJsonObject root;
    root.insert(QStringLiteral("machine"), machine);
    root.insert(QStringLiteral("run"), run);
    root.insert(QStringLiteral("results"), results);
    return root;
}

// A curve has the bridge's columns if one of its points has a bridge side.
static bool hasBridge(const ScalingCurve &curve)
{
    return std::any_of(curve.points.cbegin(), curve.points.cend(),
                       [](const ScalingPoint &point) { return bool(point.workload.bridge); });
}

void printScaling(const QList<ScalingCurve> &curves)
{
    for (const ScalingCurve &curve : curves) {
        if (curve.points.isEmpty())
            continue;
        const bool withBridge = hasBridge(curve);
        const QList<Metric> metrics = curve.points.constFirst().workload.metrics;
        QStringList header = { curve.xName };
        for (const Metric &metric : metrics) {
            header << QStringLiteral("library %1").arg(metric.unit)
                   << QStringLiteral("floor %1").arg(metric.unit);
            if (withBridge)
                header << QStringLiteral("bridge %1").arg(metric.unit);
        }
        header << QStringLiteral("ratio");
        if (withBridge)
            header << QStringLiteral("ratio to bridge");
        header << QStringLiteral("per repetition");
        QList<QStringList> lines;
        for (const ScalingPoint &point : curve.points) {
            QStringList line = { point.label };
            QString error;
            for (const Row &row : point.rows) {
                line << formatValue(row.library, QString()) << formatValue(row.floor, QString());
                if (withBridge)
                    line << (row.bridgeError.isEmpty() ? formatValue(row.bridge, QString())
                                                       : QStringLiteral("FAILED"));
                if (!row.error.isEmpty())
                    error = row.error;
                else if (!row.bridgeError.isEmpty())
                    error = QStringLiteral("bridge: %1").arg(row.bridgeError);
            }
            const Row first = point.rows.value(0);
            line << ratioText(first.hasRatio(), first.ratio());
            if (withBridge)
                line << ratioText(first.hasBridgeRatio(), first.ratioToBridge());
            line << (error.isEmpty() ? point.work : QStringLiteral("FAILED: %1").arg(error));
            const qsizetype ratios = withBridge ? 3 : 2; // ratio(s) and "per repetition"
            while (line.size() < header.size())
                line.insert(line.size() - ratios, QStringLiteral("-"));
            lines.append(line);
        }
        QList<qsizetype> widths;
        for (qsizetype c = 0; c < header.size(); ++c) {
            qsizetype width = header.at(c).size();
            for (const QStringList &line : lines)
                width = std::max(width, line.at(c).size());
            widths.append(width);
        }
        const qsizetype last = header.size() - 1;
        auto print = [&](const QStringList &cells) {
            QString out = QStringLiteral("|");
            for (qsizetype c = 0; c < cells.size(); ++c) {
                out += QLatin1Char(' ')
                        + (c == last ? cells.at(c).leftJustified(widths[c])
                                     : cells.at(c).rightJustified(widths[c]))
                        + QStringLiteral(" |");
            }
            std::printf("%s\n", qPrintable(out));
        };
        std::printf("%s: %s\n\n", qPrintable(curve.id), qPrintable(curve.title));
        print(header);
        QStringList rule;
        for (qsizetype c = 0; c < header.size(); ++c)
            rule.append(c == last ? QString(widths[c], QLatin1Char('-'))
                                  : QString(widths[c] - 1, QLatin1Char('-')) + QLatin1Char(':'));
        print(rule);
        for (const QStringList &line : lines)
            print(line);
        std::printf("\n");
    }
    std::fflush(stdout);
}

QJsonObject scalingToJson(const QList<ScalingCurve> &curves, const QString &payload)
{
    QJsonArray array;
    for (const ScalingCurve &curve : curves) {
        const bool withBridge = hasBridge(curve);
        QJsonArray points;
        for (const ScalingPoint &point : curve.points) {
            QJsonObject p { { QStringLiteral("x"), point.x },
                            { QStringLiteral("label"), point.label },
                            { QStringLiteral("work"), point.work } };
            QJsonObject values;
            for (const Row &row : point.rows) {
                QJsonObject value { { QStringLiteral("library"), number(row.library) },
                                    { QStringLiteral("floor"), number(row.floor) },
                                    { QStringLiteral("ratio"), number(row.ratio()) } };
                if (withBridge) {
                    value.insert(QStringLiteral("bridge"), number(row.bridge));
                    value.insert(QStringLiteral("ratio_to_bridge"), number(row.ratioToBridge()));
                }
                values.insert(row.metric.name, value);
                if (!row.error.isEmpty())
                    p.insert(QStringLiteral("error"), row.error);
                if (!row.bridgeError.isEmpty())
                    p.insert(QStringLiteral("bridge_error"), row.bridgeError);
            }
            p.insert(QStringLiteral("metrics"), values);
            points.append(p);
        }
        array.append(QJsonObject { { QStringLiteral("id"), curve.id },
                                   { QStringLiteral("workload"), curve.workload },
                                   { QStringLiteral("title"), curve.title },
                                   { QStringLiteral("x"), curve.xName },
                                   { QStringLiteral("points"), points } });
    }
    return { { QStringLiteral("payload"), payload }, { QStringLiteral("curves"), array } };
}

namespace {

    // The ratios of a baseline file by key; false, saying why, if it has none.
    bool readBaseline(const QString &path, QMap<QString, double> *ratios, bool print)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (print)
                std::printf("check: cannot read %s\n", qPrintable(path));
            return false;
        }
        const QJsonObject baseline = QJsonDocument::fromJson(file.readAll()).object();
        for (const QJsonValue &v : baseline.value(u"results").toArray()) {
            const QJsonObject r = v.toObject();
            if (r.value(u"ratio").isDouble())
                ratios->insert(r.value(u"key").toString(), r.value(u"ratio").toDouble());
        }
        if (ratios->isEmpty() && print)
            std::printf("check: %s holds no ratios\n", qPrintable(path));
        return !ratios->isEmpty();
    }

    // Whether row fails against the baseline ratio base.
    bool fails(const Row &row, double base, double tolerance)
    {
        if (!row.hasRatio())
            return true;
        const double ratio = row.ratio();
        return row.metric.lowerIsBetter ? ratio > base * tolerance : ratio < base / tolerance;
    }

} // namespace

bool checkAgainst(const QList<Row> &rows, const QString &baselinePath, double tolerance)
{
    QMap<QString, double> baseRatios;
    if (!readBaseline(baselinePath, &baseRatios, true))
        return false;
    std::printf("\nCheck against %s (fails only if a ratio is more than %gx worse than the "
                "baseline's):\n",
                qPrintable(baselinePath), tolerance);
    bool ok = true;
    for (const Row &row : rows) {
        if (!row.metric.checked || !baseRatios.contains(row.key))
            continue;
        const bool worse = fails(row, baseRatios.value(row.key), tolerance);
        const QString verdict = !row.hasRatio()
                ? QStringLiteral("FAIL (no figure: %1)").arg(row.error)
                : worse ? QStringLiteral("FAIL")
                        : QStringLiteral("ok");
        ok = ok && !worse;
        std::printf("  %-12s baseline %7.2fx  now %7.2fx  %s\n", qPrintable(row.key),
                    baseRatios.value(row.key), row.ratio(), qPrintable(verdict));
    }
    std::printf("check: %s\n", ok ? "passed" : "FAILED");
    std::fflush(stdout);
    return ok;
}

QStringList failingWorkloads(const QList<Row> &rows, const QString &baselinePath, double tolerance)
{
    QMap<QString, double> baseRatios;
    QStringList failing;
    if (!readBaseline(baselinePath, &baseRatios, false))
        return failing;
    for (const Row &row : rows) {
        if (row.metric.checked && baseRatios.contains(row.key)
            && fails(row, baseRatios.value(row.key), tolerance) && !failing.contains(row.workload))
            failing.append(row.workload);
    }
    return failing;
}

} // namespace Bench
