"""GStreamer webrtcbin as a WHIP publisher or a WHEP player (non-trickle), for the e2e tests.

usage: gst_webrtc.py whip URL SECONDS h264|vp8    publishes videotestsrc + audiotestsrc (Opus)
       gst_webrtc.py whep URL SECONDS h264|vp8    plays (offers that video codec), counting decoded video
                                                  frames and audio buffers

Prints one JSON line at the end: status, location, ice/connection state, and for whep the decoded
video frames, the video caps and the decoded audio buffers. The session is DELETEd before exit.
"""
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice  # noqa: E402

Gst.init(None)
if not Gst.ElementFactory.find("nicesrc"):
    sys.exit("webrtcbin needs GStreamer's libnice elements: install gstreamer1.0-nice (tests/setup.ts)")

mode, url, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
codec = sys.argv[4] if len(sys.argv) > 4 else "h264"
out = {"mode": mode, "status": 0, "location": "", "error": "", "connection": "", "frames": 0,
       "video_caps": "", "audio_buffers": 0, "first_frame_ms": 0}
loop = GLib.MainLoop()
lock = threading.Lock()
t0 = [0.0]

VIDEO_ENC = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bframes=0 bitrate=800 "
            "! video/x-h264,profile=constrained-baseline ! rtph264pay config-interval=-1 pt=102 "
            "aggregate-mode=zero-latency ! application/x-rtp,media=video,encoding-name=H264,payload=102",
    "vp8": "vp8enc deadline=1 keyframe-max-dist=30 target-bitrate=800000 ! rtpvp8pay pt=96 "
           "! application/x-rtp,media=video,encoding-name=VP8,payload=96",
}

if mode == "whip":
    pipe = Gst.parse_launch(
        "webrtcbin name=w bundle-policy=max-compat "
        "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 "
        f"! videoconvert ! queue ! {VIDEO_ENC[codec]} ! w. "
        "audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! "
        "audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay pt=111 "
        "! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! queue ! w. ")
else:
    pipe = Gst.Pipeline.new("player")
    webrtc = Gst.ElementFactory.make("webrtcbin", "w")
    webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_COMPAT)
    pipe.add(webrtc)
w = pipe.get_by_name("w")
# The ICE agent gathers on the machine's interfaces, never loopback; the server is on loopback.
loopback = Nice.Address.new()
loopback.set_from_string("127.0.0.1")
# Keep the agent's Python wrapper for the whole run: dropping it unrefs the bin's own ICE object.
ICE = w.get_property("ice-agent")
ICE.get_property("agent").add_local_address(loopback)

if mode == "whep":
    recv = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
    video = {
        "h264": "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
                "packetization-mode=(string)1,profile-level-id=(string)42e01f",
        "vp8": "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000",
    }[codec]
    w.emit("add-transceiver", recv, Gst.Caps.from_string(video))
    w.emit("add-transceiver", recv, Gst.Caps.from_string(
        "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000"))


def request(method, target, body=None, ctype=None):
    headers = {"content-type": ctype} if ctype else {}
    req = urllib.request.Request(target, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.headers.get("location") or "", res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, "", e.read().decode()
    except OSError as e:
        return 0, "", str(e)


def count_frame(_pad, _info):
    with lock:
        out["frames"] += 1
        if out["frames"] == 1:
            out["first_frame_ms"] = round((GLib.get_monotonic_time() / 1000) - t0[0])
    return Gst.PadProbeReturn.OK


def count_audio(_pad, _info):
    with lock:
        out["audio_buffers"] += 1
    return Gst.PadProbeReturn.OK


def on_decoded(_dbin, pad):
    caps = pad.get_current_caps() or pad.query_caps(None)
    name = caps.get_structure(0).get_name()
    if name.startswith("video/"):
        conv = Gst.ElementFactory.make("videoconvert")
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        out["video_caps"] = caps.to_string()
        probe = count_frame
    else:
        conv = Gst.ElementFactory.make("audioconvert")
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        probe = count_audio
    for e in (conv, sink):
        pipe.add(e)
        e.sync_state_with_parent()
    conv.link(sink)
    pad.link(conv.get_static_pad("sink"))
    sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, probe)


def on_pad_added(_w, pad):
    if pad.direction != Gst.PadDirection.SRC:
        return
    dbin = Gst.ElementFactory.make("decodebin")
    dbin.connect("pad-added", on_decoded)
    pipe.add(dbin)
    dbin.sync_state_with_parent()
    pad.link(dbin.get_static_pad("sink"))


def post_offer():
    offer = w.get_property("local-description").sdp.as_text()
    t0[0] = GLib.get_monotonic_time() / 1000
    status, location, body = request("POST", url, offer.encode(), "application/sdp")
    out["status"] = status
    if status != 201:
        out["error"] = body
        loop.quit()
        return False
    out["location"] = urllib.parse.urljoin(url, location)
    _, sdp = GstSdp.SDPMessage.new_from_text(body)
    answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
    w.emit("set-remote-description", answer, Gst.Promise.new())
    GLib.timeout_add(int(seconds * 1000), finish)
    return False


def on_gathering(_w, _pspec):
    if w.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
        GLib.idle_add(post_offer)


def make_offer():
    promise = Gst.Promise.new()
    w.emit("create-offer", None, promise)
    promise.wait()
    # Keep the reply in a variable while its offer is used: a temporary reply is freed at once and
    # takes the offer's SDP with it.
    reply = promise.get_reply()
    offer = reply.get_value("offer")
    w.emit("set-local-description", offer, Gst.Promise.new())
    del reply
    return False


def on_negotiation_needed(_w):
    GLib.idle_add(make_offer)


def finish():
    out["connection"] = w.get_property("connection-state").value_nick
    if out["location"]:
        status, _, _ = request("DELETE", out["location"])
        out["delete"] = status
    loop.quit()
    return False


def on_message(_bus, msg):
    if msg.type == Gst.MessageType.ERROR:
        err, _ = msg.parse_error()
        out["error"] = err.message
        loop.quit()


w.connect("on-negotiation-needed", on_negotiation_needed)
w.connect("notify::ice-gathering-state", on_gathering)
w.connect("pad-added", on_pad_added)
bus = pipe.get_bus()
bus.add_signal_watch()
bus.connect("message", on_message)
GLib.timeout_add(int((seconds + 20) * 1000), lambda: (out.update(error=out["error"] or "timed out"), loop.quit()))
pipe.set_state(Gst.State.PLAYING)
loop.run()
pipe.set_state(Gst.State.NULL)
print(json.dumps(out), flush=True)
