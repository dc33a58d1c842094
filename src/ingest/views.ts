/**
 * What a local system (and an officer at the CLI) may see of a record: state, versions,
 * national ids, and issues as code + pointers + Vietnamese message. Built field by field
 * (allow-list), so a pipeline that one day stores more never leaks it through ingest.
 */
import type { Issue } from '../../mappers/types.js';
import type { AcceptResult, RecordStatus } from './types.js';

export const STATE_LABELS: Record<RecordStatus['state'], string> = {
  received: 'Đã tiếp nhận, chờ chuyển đổi',
  mapped: 'Đã chuyển đổi, chờ gửi',
  pushing: 'Đang gửi lên CSDL quốc gia',
  pushed: 'Đã gửi lên CSDL quốc gia',
  rejected: 'Bị từ chối, cần cán bộ xem xét',
};

export const OUTCOME_LABELS: Record<AcceptResult['outcome'], string> = {
  accepted: 'Đã tiếp nhận',
  unchanged: 'Không thay đổi (phiên bản này đã được tiếp nhận)',
  older: 'Phiên bản cũ hơn bản đã có (bỏ qua)',
  rejected: 'Không đọc được, đã lưu để cán bộ xem xét',
};

export interface PublicIssue {
  code: string;
  severity: Issue['severity'];
  source: string;
  national?: string;
  recordKind?: Issue['recordKind'];
  message: string;
}

export function publicIssue(i: Issue): PublicIssue {
  return {
    code: String(i.code),
    severity: i.severity,
    source: String(i.source),
    ...(i.national !== undefined ? { national: String(i.national) } : {}),
    ...(i.recordKind !== undefined ? { recordKind: i.recordKind } : {}),
    message: String(i.message),
  };
}

export function publicAccept(r: AcceptResult, statusPath?: string) {
  return {
    index: r.index,
    trackingId: r.trackingId,
    agency: r.agency,
    localId: r.localId,
    version: r.version,
    outcome: r.outcome,
    outcomeLabel: OUTCOME_LABELS[r.outcome] ?? r.outcome,
    ...(r.reasons?.length ? { reasons: r.reasons.map(publicIssue) } : {}),
    ...(statusPath ? { status: statusPath } : {}),
  };
}

export function publicStatus(s: RecordStatus) {
  return {
    source: s.source,
    agency: s.agency,
    localId: s.localId,
    trackingId: s.trackingId,
    state: s.state,
    stateLabel: STATE_LABELS[s.state] ?? s.state,
    latestVersion: s.latestVersion,
    ...(s.pushedVersion !== undefined ? { pushedVersion: s.pushedVersion } : {}),
    nationalIds: { ...s.nationalIds },
    issues: (s.issues ?? []).map(publicIssue),
    ...(s.lastError ? { lastError: { code: s.lastError.code, message: s.lastError.message, at: s.lastError.at } } : {}),
    ...(s.outputs
      ? {
          outputs: s.outputs.map((o) => ({
            kind: o.kind,
            localId: o.localId,
            state: o.state,
            ...(o.mappedVersion !== undefined ? { mappedVersion: o.mappedVersion } : {}),
            ...(o.pushedVersion !== undefined ? { pushedVersion: o.pushedVersion } : {}),
            ...(o.nationalId !== undefined ? { nationalId: o.nationalId } : {}),
          })),
        }
      : {}),
    history: (s.history ?? []).map((h) => ({ at: h.at, state: h.state, version: h.version, ...(h.detail !== undefined ? { detail: h.detail } : {}) })),
  };
}

/** Path of the status endpoint of one record (ids URL-encoded). */
export function statusPath(source: string, agency: string, localId: string): string {
  return `/v1/records/${encodeURIComponent(source)}/${encodeURIComponent(agency)}/${encodeURIComponent(localId)}`;
}
