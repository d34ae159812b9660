/**
 * The werift peer connection of one session, configured the way a server needs it: host candidates
 * only (no STUN round trip before the answer), IPv4, UDP ports from `<rtp min max>` (and a passive TCP
 * one when `<rtc><icetcp>`), and exactly the negotiated codecs. Also the small waits werift has no promise for.
 */
import {
  MediaStreamTrack,
  ProtectionProfileAes128CmHmacSha1_80,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  useNACK,
  usePLI,
} from "werift";
import { hostAddresses, isWildcard } from "./ice.ts";
import { patchSrtpContext, type SrtpEncryptor } from "./srtp.ts";
import type { RtpCodec } from "./codecs.ts";
import type { WebrtcSettings } from "./settings.ts";

/** werift's codec object for one negotiated codec (NACK and PLI feedback for video). */
export function codecParameters(c: RtpCodec): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: c.mimeType,
    clockRate: c.clockRate,
    channels: c.channels,
    payloadType: c.payloadType,
    parameters: c.fmtp === "" ? undefined : c.fmtp,
    rtcpFeedback: c.kind === "video" ? [useNACK(), usePLI()] : [],
  });
}

export function createPeer(
  s: WebrtcSettings,
  codecs: { video?: RtpCodec; audio?: RtpCodec },
  ports: [number, number],
): RTCPeerConnection {
  const listen = s.listenHost.replace(/^\[|\]$/g, "");
  return new RTCPeerConnection({
    // ICE lite (RFC 8445 2.5): a server with reachable host candidates answers checks and never
    // gathers server-reflexive ones (werift would otherwise ask stun.l.google.com for each address).
    iceLite: true,
    iceServers: [],
    iceUseIpv6: false,
    // ICE-TCP (RFC 6544): one passive TCP host candidate per address, on a port of the session's window
    // (werift's TcpPassiveProtocol; with ICE lite it never dials out).
    iceUseTcp: s.iceTcp,
    iceTcpPassive: true,
    icePortRange: ports,
    iceAdditionalHostAddresses: hostAddresses(s.listenHost, s.natHost),
    iceInterfaceAddresses: isWildcard(listen) ? undefined : { udp4: listen },
    // werift drops an outgoing packet when `outboundPacketLoss / 100 < Math.random()` (test only).
    debug: s.dropPercent ? { outboundPacketLoss: 100 - s.dropPercent } : {},
    codecs: {
      video: codecs.video ? [codecParameters(codecs.video)] : [],
      audio: codecs.audio ? [codecParameters(codecs.audio)] : [],
    },
  });
}

/** A track to send, tied to its codec so werift answers with exactly that payload of the offer. */
export function sendTrack(c: RtpCodec): MediaStreamTrack {
  return new MediaStreamTrack({ kind: c.kind, codec: codecParameters(c) });
}

/** Resolves once ICE gathering is complete (host candidates only: a few milliseconds). */
export function gathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((st) => {
      if (st === "complete") done();
    });
    function done() {
      clearTimeout(timer);
      unSubscribe();
      resolve();
    }
  });
}

/** DTLS handshake message types of the server's flight 4 (RFC 6347 4.2.4). */
const FLIGHT4 = new Set([2, 11, 12, 13, 14]);
const SERVER_HELLO_DONE = 14;

type Handshakes = (assembled: { msg_type: number }[]) => Promise<void>;

/**
 * werift as DTLS client handles a retransmitted flight 4 (the browser resends it after ~100 ms when
 * our flight 5 is late, common on a loaded machine) as a new one: it applies the duplicate server
 * hello and key exchange again, and the session can end up "connected" with SRTP keys that differ
 * from the browser's, so every media packet fails authentication. Once flight 4 has been handled,
 * its duplicates are dropped here; werift retransmits its own flight 5 on its timer.
 */
export function guardDtlsRetransmits(pc: RTCPeerConnection, onDrop: (types: number[]) => void): void {
  for (const t of pc.dtlsTransports) {
    const sub = t.onStateChange.subscribe((st) => {
      if (st !== "connecting") return;
      sub.unSubscribe();
      // The socket is created synchronously right after this state change.
      queueMicrotask(() => {
        const sock = t.dtls as unknown as { onHandleHandshakes: Handshakes } | undefined;
        if (!sock || !("flight5" in sock)) return; // the client (werift's answerer role) only
        const handle = sock.onHandleHandshakes;
        let flight4Done = false;
        sock.onHandleHandshakes = (assembled) => {
          const fresh = flight4Done ? assembled.filter((h) => !FLIGHT4.has(h.msg_type)) : assembled;
          if (fresh.length < assembled.length) onDrop(assembled.map((h) => h.msg_type));
          if (assembled.some((h) => h.msg_type === SERVER_HELLO_DONE)) flight4Done = true;
          return fresh.length ? handle(fresh) : Promise.resolve();
        };
      });
    });
  }
}

const CLIENT_KEY_EXCHANGE = 16;
/** Flight 5 messages that follow the ClientKeyExchange (RFC 6347 4.2.4): CertificateVerify, Finished. */
const AFTER_CKE = new Set([15, 20]);

interface DtlsServerSocket {
  onHandleHandshakes: Handshakes;
  connected?: boolean;
  dtls?: { handshakeCache?: Record<number, { data: { msg_type: number }[] }> };
}

/**
 * werift as DTLS server derives the extended master secret (RFC 7627: the hash of the handshake up
 * to and including the ClientKeyExchange) from every flight 5 message it has cached so far. When
 * part of the client's flight 5 was lost (a full socket buffer on a loaded machine), the
 * retransmitted ClientKeyExchange is handled with the first copy's CertificateVerify (and Finished)
 * already in that hash: the secret is wrong, the client's Finished never decrypts and the handshake
 * never completes. Before werift handles a ClientKeyExchange, the flight 5 messages that follow it
 * are taken out of its cache (the retransmission brings them again, in order).
 * Applies to every DTLS transport of `pc` where werift takes the server role (a no-op otherwise).
 */
export function guardDtlsServerKeyExchange(pc: RTCPeerConnection): void {
  for (const t of pc.dtlsTransports) {
    const sub = t.onStateChange.subscribe((st) => {
      if (st !== "connecting") return;
      sub.unSubscribe();
      queueMicrotask(() => {
        const sock = t.dtls as unknown as DtlsServerSocket | undefined;
        if (!sock || !("flight6" in sock)) return; // the server (werift's offerer role) only
        const handle = sock.onHandleHandshakes;
        sock.onHandleHandshakes = (assembled) => {
          const flight5 = sock.dtls?.handshakeCache?.[5];
          if (!sock.connected && flight5 && assembled.some((h) => h.msg_type === CLIENT_KEY_EXCHANGE)) {
            flight5.data = flight5.data.filter((h) => !AFTER_CKE.has(h.msg_type));
          }
          return handle(assembled);
        };
      });
    });
  }
}

/**
 * Cheap SRTP for a sending session (srtp.ts): the DTLS handshake offers only
 * AES_CM_128_HMAC_SHA1_80 (werift would prefer AEAD GCM, which costs a new native cipher per
 * packet), and once DTLS is up the SRTP context encrypts with one reused AES cipher and a JS HMAC.
 * Call before ICE connects (after setLocalDescription). `onReady(encryptor)` once installed;
 * undefined if werift's objects were not what srtp.ts expects (werift's own SRTP then carries on).
 */
export function useFastSrtp(pc: RTCPeerConnection, onReady: (enc: SrtpEncryptor | undefined) => void): void {
  for (const t of pc.dtlsTransports) {
    const profiles = t as unknown as { srtpProfiles?: number[] };
    if (Array.isArray(profiles.srtpProfiles)) profiles.srtpProfiles = [ProtectionProfileAes128CmHmacSha1_80];
    const sub = t.onStateChange.subscribe((st) => {
      if (st !== "connected") return;
      sub.unSubscribe();
      onReady(patchSrtpContext(t.srtp?.localContext));
    });
  }
}

/** Reads as empty and ignores writes: werift's per-sender packet history, switched off. */
const NO_HISTORY: unknown[] = new Proxy([], { set: () => true, get: () => undefined });

/**
 * werift keeps each sender's last 128 packets and resends one for every NACK that names it, with no
 * limit (a receiver repeats its NACKs every few ms, so a starved viewer gets many copies). This stops
 * the sender keeping them, so every NACK is answered by the session from the stream's shared buffer,
 * within its budget (nack.ts); werift's per-viewer copies of the packets go too. Returns false (and
 * changes nothing) when werift's sender does not look as expected (pinned by peer_test.ts).
 */
export function takeOverNacks(sender: RTCRtpSender): boolean {
  const own = Object.getOwnPropertyDescriptor(sender, "rtpCache");
  if (!own?.configurable || !Array.isArray(own.value)) return false;
  Object.defineProperty(sender, "rtpCache", { configurable: true, get: () => NO_HISTORY, set: () => {} });
  return true;
}

/** What node:dgram reads a WHEP session's datagrams into, per datagram (see smallReceives). */
export const WHEP_RECEIVE_BYTES = 4096;

/**
 * A WHEP session only receives RTCP, STUN and DTLS (no media), each datagram far below a kilobyte or
 * two. node:dgram in Deno 2.9 allocates a fresh buffer of its receive size for every datagram it
 * reads, 64 KiB unless `setRecvBufferSize` was called (there the call sets that size, not the kernel's
 * SO_RCVBUF; where it is SO_RCVBUF, a few kilobytes still hold this session's little traffic). Sets it
 * on every UDP socket of the connection's ICE transports; returns how many.
 */
export function smallReceives(pc: RTCPeerConnection, bytes = WHEP_RECEIVE_BYTES): number {
  let n = 0;
  for (const t of pc.iceTransports) {
    const protocols = (t.connection as unknown as { protocols?: { transport?: { socket?: unknown } }[] })
      .protocols ?? [];
    for (const p of protocols) {
      const sock = p.transport?.socket as { setRecvBufferSize?: (n: number) => void } | undefined;
      if (typeof sock?.setRecvBufferSize !== "function") continue;
      try {
        sock.setRecvBufferSize(bytes);
        n++;
      } catch { /* not bound (yet), or closed: left as it is */ }
    }
  }
  return n;
}
