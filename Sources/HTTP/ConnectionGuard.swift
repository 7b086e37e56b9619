import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Keeps one HTTP/1.1 connection within its `ConnectionLimits`, between the HTTP decoder and the
/// server's request handling:
/// - waiting for a request: closed after `idleTimeout`; once its first byte arrives, closed unless the
///   head is complete within `headerTimeout`;
/// - an answer started before its request's body was read (an early refusal) carries
///   `Connection: close`; the connection then stops writing, reads and drops the rest of the body (at
///   most `drainBytes`, for at most `headerTimeout`) and closes, so a client that writes its whole body
///   before reading still gets the answer and no descriptor stays behind;
/// - a request that said `Connection: close`, or whose bytes could not be parsed, closes the connection
///   fully once its answer is written (the server would otherwise wait for the client to close).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// No request in progress (the idle timer runs).
        case idle
        /// Bytes of a head arrived (the header timer runs).
        case head
        /// A head was read; its answer is not written yet.
        case busy
        /// An early answer was written; the rest of the body is dropped (the drain timer runs).
        case draining(dropped: Int)
    }

    private let limits: ConnectionLimits
    private var phase = Phase.idle
    /// Heads read whose answers are not finished.
    private var inFlight = 0
    /// The body of the last head read has not ended.
    private var bodyOpen = false
    /// The answer being written started while its request's body was open.
    private var answeringEarly = false
    /// Close after the current answer: the client asked for it.
    private var closeAfterAnswer = false
    /// The decoder failed: nothing more can be read from this connection.
    private var parseFailed = false
    private var timer: Scheduled<Void>?

    init(_ limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, after: limits.idleTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, after: limits.idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RequestBytesNotifier.BytesArrived else { return context.fireUserInboundEventTriggered(event) }
        if case .idle = phase {
            phase = .head
            arm(context, after: limits.headerTimeout)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .draining(let dropped) = phase {
            switch part {
            case .head: break
            case .body(let bytes):
                phase = .draining(dropped: dropped + bytes.readableBytes)
                if dropped + bytes.readableBytes > limits.drainBytes { context.close(promise: nil) }
            case .end:
                bodyOpen = false
                context.close(promise: nil)
            }
            return
        }
        switch part {
        case .head(let head):
            disarm()
            phase = .busy
            inFlight += 1
            bodyOpen = true
            if let connection = head.headerFields[.connection], connection.lowercased().contains("close") { closeAfterAnswer = true }
        case .body:
            break
        case .end:
            bodyOpen = false
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The server stops asking for reads once it has answered; the drain keeps reading regardless.
        if case .draining = phase { context.read() }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { parseFailed = true }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            answeringEarly = bodyOpen && inFlight == 1
            if answeringEarly || closeAfterAnswer || parseFailed {
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            inFlight -= 1
            guard answeringEarly || closeAfterAnswer || parseFailed else {
                context.write(data, promise: promise)
                if inFlight == 0 {
                    phase = .idle
                    arm(context, after: limits.idleTimeout)
                }
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            if let promise { written.futureResult.cascade(to: promise) }
            context.writeAndFlush(data, promise: written)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in
                let (handler, context) = loopBound.value
                handler.answerWritten(context)
            }
        }
    }

    /// After an early answer or one that ends the connection.
    private func answerWritten(_ context: ChannelHandlerContext) {
        guard answeringEarly, bodyOpen, !parseFailed else {
            context.close(promise: nil)
            return
        }
        phase = .draining(dropped: 0)
        context.close(mode: .output, promise: nil)
        arm(context, after: limits.headerTimeout)
        context.read()
    }

    private func arm(_ context: ChannelHandlerContext, after delay: Duration) {
        disarm()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            loopBound.value.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
