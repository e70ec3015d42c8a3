import type { Socket } from 'node:dgram';
import type { DaemonAddress } from './trace-header.js';

/** Takes finished segment documents; `send` settles when the datagram has left the process. */
export interface SegmentSink {
  send(datagram: string): Promise<void>;
}

/**
 * Sends datagrams to the X-Ray daemon over UDP. The socket is opened on the first send (so a
 * function that is never sampled never loads `node:dgram`) and unref'd, so it never keeps a
 * process alive. A failed send resolves anyway: tracing must never fail an invocation.
 */
export class UdpSegmentSink implements SegmentSink {
  private socket: Socket | undefined;

  constructor(private readonly address: DaemonAddress) {}

  send(datagram: string): Promise<void> {
    const socket = this.open();
    return new Promise((resolve) => {
      socket.send(datagram, this.address.port, this.address.host, () => resolve());
    });
  }

  /** Closes the socket; the next send opens a new one. */
  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const { createSocket } = process.getBuiltinModule('node:dgram');
    const socket = createSocket(this.address.host.includes(':') ? 'udp6' : 'udp4');
    socket.on('error', () => undefined);
    socket.unref();
    this.socket = socket;
    return socket;
  }
}
