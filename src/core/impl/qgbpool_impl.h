// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPOOL_IMPL_H
#define QGBPOOL_IMPL_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It holds the machinery that
// QGbPool's call templates instantiate in the application, and is installed
// only because those templates need it. It may change from version to version
// without notice. Include <QGbPool> instead.
//

#include "qgbchannel.h"
#include "qgbconvert.h"
#include "qgberror.h"
#include "qgbglobal.h"
#include "qgbjson_impl.h"

#include <QtCore/qfuture.h>
#include <QtCore/qfutureinterface.h>
#include <QtCore/qvariant.h>

#include <type_traits>

namespace QGbPrivate {

// Receives what the worker sends for one call and reports it to a QFuture.
// Called in the pool's I/O thread only.
class QGB_EXPORT CallSink
{
public:
    virtual ~CallSink();
    virtual QFutureInterfaceBase &futureInterface() = 0;
    // Converts and reports stream items; false (with *error set) if one cannot be converted.
    virtual bool deliverItems(const QVariantList &items, QGbError *error) = 0;
    // Reads and reports stream items from the JSON text of their array,
    // valid during the call, and sets *count to how many. False: not
    // reported; the pool then parses the text and calls deliverItems(), or
    // reports what is wrong with it.
    virtual bool deliverItemsJson(const char *begin, const char *end, qsizetype *count);
    // True if deliverItemsJson() reads items (else the pool parses them at once).
    virtual bool readsItemsJson() const { return false; }
    // Converts and reports the result of a plain call.
    virtual bool deliverResult(const QVariant &value, QGbError *error) = 0;
    // Reads and reports the result of a plain call from its JSON text, valid
    // during the call. False: not reported; the pool then parses the text and
    // calls deliverResult(), or reports what is wrong with it.
    virtual bool deliverResultJson(const char *begin, const char *end);
    // The call failed (not called after the caller cancelled).
    virtual void deliverError(const QGbError &error);
    // A progress report: value out of maximum (0: not known), and a text.
    // Reports it to the future (progress range, value and text).
    virtual void deliverProgress(double value, double maximum, const QString &text);
    // The call ended: a result was delivered, a stream ended, an error or a cancel.
    virtual void deliverFinished() = 0;
    // True if the consumer acknowledges the stream items it took, and the pool
    // grants the worker more output credit only then (bounded memory).
    virtual bool consumerGrantsCredit() const { return false; }
};

// Frees the typed results of future, with clear, before an exception is
// reported to it, if they need it. Out of line, so that whether and how this
// is done can change with the Qt the library runs against without
// applications being recompiled. clear knows the result type; it runs under
// the future's mutex.
QGB_EXPORT void clearResultsBeforeException(QFutureInterfaceBase &future,
                                            void (*clear)(QtPrivate::ResultStoreBase &store));

// The sink of a typed call: QGbPool::call<R>() and QGbPool::stream<R>().
template<typename R>
class TypedSink final : public CallSink
{
public:
    TypedSink() { m_interface.reportStarted(); }
    QFuture<R> future() { return m_interface.future(); }
    QFutureInterfaceBase &futureInterface() override { return m_interface; }

    void deliverFinished() override
    {
        // QFutureInterface<R>::reportFinished() also runs continuations (then(), onFailed()).
        if (!m_interface.isFinished())
            m_interface.reportFinished();
    }

    bool deliverItems(const QVariantList &items, QGbError *error) override
    {
        if constexpr (std::is_void_v<R>) {
            Q_UNUSED(items);
            Q_UNUSED(error);
            return true;
        } else {
            QList<R> values;
            values.reserve(items.size());
            const QGbPath root("items", QGbPath::ListRoot);
            for (qsizetype i = 0; i < items.size(); ++i) {
                R value {};
                if (!QGb::fromWire(items.at(i), &value, error, root.index(i)))
                    return false;
                values.append(std::move(value));
            }
            m_interface.reportResults(values);
            return true;
        }
    }

    void deliverError(const QGbError &error) override
    {
        if constexpr (!std::is_void_v<R>) {
            clearResultsBeforeException(m_interface, [](QtPrivate::ResultStoreBase &store) {
                store.template clear<R>();
            });
        }
        CallSink::deliverError(error);
    }

    bool deliverResult(const QVariant &wire, QGbError *error) override
    {
        if constexpr (std::is_void_v<R>) {
            Q_UNUSED(wire);
            Q_UNUSED(error);
            return true;
        } else {
            R value {};
            if (!QGb::fromWire(wire, &value, error, QGbPath("result")))
                return false;
            m_interface.reportResult(std::move(value));
            return true;
        }
    }

    bool readsItemsJson() const override { return ReadsTypedJson<R>; }

    bool deliverItemsJson(const char *begin, const char *end, qsizetype *count) override
    {
        if constexpr (ReadsTypedJson<R>) {
            QList<R> values;
            if (!readJson(begin, end, &values, [](JsonReader &r, void *out) {
                    return readTypedJson(r, static_cast<QList<R> *>(out));
                }))
                return false;
            *count = values.size();
            m_interface.reportResults(values);
            return true;
        } else {
            Q_UNUSED(begin);
            Q_UNUSED(end);
            Q_UNUSED(count);
            return false;
        }
    }

    bool deliverResultJson(const char *begin, const char *end) override
    {
        if constexpr (ReadsTypedJson<R>) {
            R value {};
            if (!readJson(begin, end, &value, [](JsonReader &r, void *out) {
                    return readTypedJson(r, static_cast<R *>(out));
                }))
                return false;
            m_interface.reportResult(std::move(value));
            return true;
        } else {
            Q_UNUSED(begin);
            Q_UNUSED(end);
            return false;
        }
    }

private:
    QFutureInterface<R> m_interface;
};

// Adds a QGbChannel argument: the marker that stands for it on the wire.
// False (with *error set) if the call already has one.
QGB_EXPORT bool appendChannel(QVariantList *out, QGbChannel *channel, QGbChannel **input,
                              QGbError *error);

// Converts one argument of QGbPool::call() or QGbPool::stream() and appends it to
// *out; a QGbChannel (or a pointer to one) becomes the call's input stream.
template<typename A>
bool appendArgument(QVariantList *out, const A &value, QGbChannel **input, QGbError *error)
{
    if constexpr (std::is_base_of_v<QGbChannel, A>) {
        return appendChannel(out, const_cast<A *>(&value), input, error);
    } else if constexpr (std::is_pointer_v<
                                 A> && std::is_base_of_v<QGbChannel, std::remove_pointer_t<A>>) {
        return appendChannel(out, const_cast<QGbChannel *>(value), input, error);
    } else {
        if constexpr (WritesTypedJson<A>) {
            if (appendJsonArgument(out, &value, [](JsonWriter &w, const void *v) {
                    return writeTypedJson(w, *static_cast<const A *>(v));
                }))
                return true;
        }
        QVariant wire;
        const QGbPath root("args", QGbPath::ListRoot);
        if (!QGb::toWire(value, &wire, error, root.index(out->size())))
            return false;
        out->append(std::move(wire));
        return true;
    }
}

} // namespace QGbPrivate

#endif // QGBPOOL_IMPL_H
