// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbcallrecord_p.h"
#include "qgbwaithook_p.h"

// A call whose record goes away before it ended (for example a submission still
// queued for the I/O thread when the pool closed) still ends exactly once.
QGbCallRecord::~QGbCallRecord()
{
    if (state != State::Done && sink) {
        if (state != State::Cancelling)
            sink->deliverError(
                    QGbError(QGbError::PoolClosed, QStringLiteral("The pool was closed")));
        sink->deliverFinished();
    }
    if (input)
        input->endCall();
    QGbWaitHook::release(waitHook);
}

void QGbCallRecord::finishUnsent()
{
    sink->deliverFinished();
    state = State::Done;
    if (input)
        input->endCall();
}
