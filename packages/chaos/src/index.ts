export { applyFault } from './apply-fault.js';
export type { ActiveFault, ApplyFaultOptions, FaultTarget } from './apply-fault.js';
// The one Clock of every shardcache package, defined in @shardcache/health.
export type { Clock } from '@shardcache/health';
export {
  CallTimeoutError,
  ChaosError,
  FaultNotApplicableError,
  InvalidOptionError,
  NodeStoppedError,
  RuntimeUnavailableError,
  ServerNotInstalledError,
  ServerStartError,
} from './errors.js';
export type { ChaosErrorCode } from './errors.js';
export { EtcdCluster } from './etcd-cluster.js';
export type { EtcdClusterOptions } from './etcd-cluster.js';
export { EtcdMember } from './etcd-member.js';
export type { EtcdMemberSpec } from './etcd-member.js';
export { FaultProxy } from './fault-proxy.js';
export type { FaultProxyOptions } from './fault-proxy.js';
export { isNetworkFault, validateFault } from './faults.js';
export type {
  BandwidthFault,
  BlackholeFault,
  CorruptFault,
  Direction,
  Fault,
  FaultCounters,
  FlapFault,
  KillFault,
  LatencyFault,
  NetworkFault,
  PartialFault,
  PauseFault,
  ProcessFault,
  ResetFault,
} from './faults.js';
export { startFleet } from './fleet.js';
export type { Fleet, FleetOptions, FleetRuntime } from './fleet.js';
export { FleetNode } from './fleet-node.js';
export { PID_LOG_ENV } from './internal/pid-log.js';
export { openSocketsTo } from './open-sockets.js';
export { recordClientEvents } from './report/client-events.js';
export type { AnnouncingClient } from './report/client-events.js';
export { renderIndexPage } from './report/index-page.js';
export { fleetNames } from './report/node-names.js';
export type { IndexEntry } from './report/index-page.js';
export { pageVerdict, renderScenarioPage } from './report/scenario-page.js';
export type { ReportCheck, ReportValue, ScenarioPage, TimelineEvent, TimelineEventType, Verdict } from './report/scenario-page.js';
export { runScenario } from './scenario.js';
export type { ScenarioOptions, ScenarioTarget, ScheduledFault } from './scenario.js';
export { buildReport, formatReport } from './scenario-report.js';
export type { FaultRecord, OperationSample, PhaseStats, ScenarioPhase, ScenarioReport } from './scenario-report.js';
export { seededRandom } from './seeded-random.js';
export { SERVER_KINDS, validateServerOptions } from './server-kind.js';
export type { ServerCredentials, ServerKind, ServerOptions } from './server-kind.js';
export { ServerProcess } from './server-process.js';
export { bucketWidthMs, buildTimeline } from './timeline.js';
export type { NodeBucket, Timeline, TimelineBucket, TimelineCall } from './timeline.js';
export type { ServerProcessOptions } from './server-process.js';
export { watchEventLoop } from './watch-event-loop.js';
export type { LoopStall, LoopStalls } from './watch-event-loop.js';
