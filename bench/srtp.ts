/**
 * SRTP cost per packet, werift's own cipher against srtp.ts's, in one process and run (so the ratio
 * holds on a shared machine): `deno run -A bench/srtp.ts [--packets N] [--size BYTES]`.
 */
import { Buffer } from "node:buffer";
import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtpSession } from "werift";
import { patchSrtpContext } from "../src/protocols/webrtc/srtp.ts";

const argNum = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const packets = argNum("packets", 20_000);
const size = argNum("size", 1150);

function session() {
  const key = Buffer.alloc(16, 7), salt = Buffer.alloc(14, 9);
  return new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
    profile: ProtectionProfileAes128CmHmacSha1_80,
  });
}

function run(s: SrtpSession): number {
  const payload = Buffer.alloc(size, 0x5a);
  const header = new RtpHeader({ ssrc: 0x1234, payloadType: 102, sequenceNumber: 0, timestamp: 0 });
  for (let i = 0; i < 1000; i++) s.encrypt(payload, header); // warm-up (JIT)
  const t0 = performance.now();
  for (let i = 0; i < packets; i++) {
    header.sequenceNumber = i & 0xffff;
    s.encrypt(payload, header);
  }
  return (performance.now() - t0) * 1000 / packets;
}

const werift = session();
const ours = session();
if (!patchSrtpContext(ours.localContext)) throw new Error("srtp.ts did not recognise werift's SRTP context");
// Interleaved rounds, so both see the same machine load.
const a: number[] = [], b: number[] = [];
for (let round = 0; round < 3; round++) {
  a.push(run(werift));
  b.push(run(ours));
}
const best = (x: number[]) => Math.min(...x);
console.log(
  `SRTP encrypt of a ${size}-byte payload: werift ${best(a).toFixed(2)} µs/packet, srtp.ts ${
    best(b).toFixed(2)
  } µs/packet (${(best(a) / best(b)).toFixed(2)}× less CPU), best of 3 rounds of ${packets}`,
);
