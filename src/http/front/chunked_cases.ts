/**
 * The chunked body table: pieces as they arrive, the body limit, and the decoded text or the
 * status of the refusal. The unit tests check it, the fuzzer mutates it.
 */

export const CHUNKED_CASES: { name: string; pieces: string[]; max?: number; want: string | number }[] = [
  { name: "two chunks", pieces: ["5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"], want: "hello world" },
  { name: "split across reads", pieces: ["5\r", "\nhel", "lo\r\n0", "\r\n", "\r\n"], want: "hello" },
  { name: "extensions skipped", pieces: ["5;name=v\r\nhello\r\n0;x\r\n\r\n"], want: "hello" },
  { name: "trailers dropped", pieces: ["5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"], want: "hello" },
  { name: "upper-case hex", pieces: ["A\r\n0123456789\r\n0\r\n\r\n"], want: "0123456789" },
  { name: "empty body", pieces: ["0\r\n\r\n"], want: "" },
  { name: "over the limit", pieces: ["8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n"], max: 10, want: 413 },
  { name: "declared huge chunk over the limit", pieces: ["fffffff\r\n", "x".repeat(64)], max: 10, want: 413 },
  { name: "bad hex", pieces: ["z\r\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "negative size", pieces: ["-5\r\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "13 hex digits", pieces: ["1000000000000\r\n"], want: 400 },
  { name: "data longer than size", pieces: ["3\r\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "bare LF after size", pieces: ["5\nhello\r\n0\r\n\r\n"], want: 400 },
  { name: "endless size line", pieces: ["1" + ";".repeat(5000)], want: 400 },
  { name: "endless trailers", pieces: ["0\r\n", "X: y\r\n".repeat(3000)], want: 400 },
  { name: "ends before the last chunk", pieces: ["5\r\nhel"], want: 400 },
];
