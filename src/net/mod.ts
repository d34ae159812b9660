/**
 * What every listening socket of the process shares, whatever protocol it speaks: connection limits
 * and the descriptor reserve (AcceptGuard, FdBudget), and the plain + TLS TCP listener pair that RTMP
 * and RTSP use. The HTTP front has its own listener but admits through the same guard. And the
 * synchronous send on a plain TCP connection's descriptor that fan-out deliveries take first (TcpSend),
 * and its UDP counterpart (UdpFd: sendto and sendmmsg on a socket's descriptor) for RTSP, SRT and WebRTC.
 */
export {
  AcceptGuard,
  type AcceptGuardOptions,
  type ConnLimits,
  DEFAULT_LIMITS,
  RareLog,
} from "./accept_guard.ts";
export {
  countOpenFds,
  FdBudget,
  type FdBudgetOptions,
  parseFdLimit,
  processFdBudget,
  readFdLimit,
} from "./fd_budget.ts";
export {
  type ListeningServer,
  type TcpBind,
  TcpListeners,
  type TcpListenersOptions,
  type TcpTls,
} from "./tcp_listeners.ts";
export { listenTcp, listenTls, sharePorts, sharingPorts } from "./shared_ports.ts";
export { openTcpSend, TcpSend, tcpSendCounts, tcpSendUnavailable } from "./tcp_send.ts";
export {
  BATCH_BYTES,
  BATCH_MAX,
  bindDatagram,
  nextFdHint,
  openDatagramFd,
  openUdpFd,
  sockaddrIn,
  UdpBatch,
  udpBatch,
  UdpFd,
  udpFdUnavailable,
  udpSendCounts,
} from "./udp_fd.ts";
export { setSocketBuffers } from "./socket_buffers.ts";
