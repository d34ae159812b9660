/** Cluster: forwarding (push) of published streams to other servers per policy.xml, edge and static pulls. */
export { carriable, publishForm } from "./codecs.ts";
export { Forwarder, type ForwardInfo, type ForwardOptions, WRITE_STALL_MS } from "./forwarder.ts";
export { Forwards, type ForwardsOptions, type ForwardsStats } from "./forwards.ts";
export { forwardMetrics, pullMetrics } from "./metrics.ts";
export { clusterService, type ClusterSettings, clusterSettings } from "./service.ts";
export { type ForwardEvent, type ForwardState, ForwardStatus } from "./state.ts";
export { type ForwardTarget, forwardTargets, sameUrl, sourceOf, type StreamSource } from "./targets.ts";
export { type EdgeOptions, EdgePuller, originUrl } from "./edge.ts";
export { edgeService, type EdgeSettings, edgeSettings } from "./edge_service.ts";
export { type PullsOptions, type PullStats, StaticPulls } from "./pulls.ts";
export { pullsService, type PullsSettings, pullsSettings } from "./pulls_service.ts";
export { openSource, redactUrl, type Source } from "./sources.ts";
