/** Shapes of the API's answers, as in /schema/openapi.json (camelCase on the wire). */

export interface UserOut {
  id: number;
  role: string;
  locale: string;
  username?: string | null;
  displayName?: string | null;
}

export interface TokenOut {
  token: string;
  expiresAt: string;
  user: UserOut;
}

export interface CategoryOut {
  code: string;
  name: string;
  nameEn: string;
  class: string;
  icon: string;
  sortOrder: number;
  active: boolean;
  photoRequired: boolean;
  confidential: boolean;
}

export interface MediaOut {
  id: string;
  url: string;
  thumbnailUrl: string;
  bytes: number;
}

export interface ReportIn {
  clientId: string;
  category: string;
  lat: number;
  lng: number;
  accuracyM?: number | null;
  address?: string | null;
  description: string;
  mediaIds: string[];
  anonymous: boolean;
}

export interface NearbyReportOut {
  id: number;
  trackingNo: string;
  category: string;
  status: string;
  description: string;
  distanceM: number;
  createdAt: string;
  thumbnailUrl?: string | null;
}

export interface ReportCreatedOut {
  id: number;
  trackingNo: string;
  status: string;
}

export interface ReportSummaryOut {
  id: number;
  /** Only on the caller's own reports: followers and merged reporters are not told it. */
  trackingNo: string | null;
  status: string;
  category: string;
  description: string;
  createdAt: string;
  thumbnailUrl?: string | null;
  /** own: I reported it; merged: mine was merged into it (已合并); following: I follow it (关注). */
  relation?: ReportRelation;
}

export type ReportRelation = 'own' | 'merged' | 'following';

export interface ReportPageOut {
  items: ReportSummaryOut[];
  nextCursor?: string | null;
}

export interface PhotoOut {
  id: string;
  url: string;
  thumbnailUrl: string;
  width: number;
  height: number;
}

export interface TimelineEntryOut {
  at: string;
  action: string;
  status: string;
  actor: string;
  actorEn: string;
  note?: string | null;
}

export interface ReportOut {
  id: number;
  /** Only on the caller's own report: followers and merged reporters are not told it. */
  trackingNo: string | null;
  status: string;
  category: string;
  description: string;
  address: string | null;
  anonymous: boolean;
  region: { code: string; name: string };
  createdAt: string;
  photos: PhotoOut[];
  afterPhotos: PhotoOut[];
  timeline: TimelineEntryOut[];
  rating?: number | null;
  relation?: ReportRelation;
  canRate?: boolean;
  masterId?: number | null;
}

export interface RegionNodeOut {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  childCount: number;
}

export interface PlaceOut {
  code: string;
  name: string;
}

/** 挂牌督办: a region flagged by a supervisor until it meets its exit bar. */
export interface FlagRef {
  id: number;
  regionCode: string;
  regionName: string;
  reason: string;
  deadline: string;
  flaggedAt: string;
}

/** The governed key area (重点地区) a case lies in, with its current plan's progress. */
export interface KeyAreaRef {
  id: number;
  name: string;
  state: string;
  /** 'district': 挂牌督办; 'street': 重点整治. */
  tier: 'street' | 'district' | null;
  level: 'red' | 'yellow' | 'blue' | null;
  deadline: string | null;
  /** Past the plan's deadline while still being put right. */
  overdue: boolean;
  progress: { tasks: number; done: number; overdue: number };
}

export interface CaseSummaryOut {
  id: number;
  trackingNo: string;
  status: string;
  version: number;
  category: string;
  priority: string;
  description: string;
  region: PlaceOut;
  assigned: PlaceOut | null;
  department: PlaceOut | null;
  dueAt: string | null;
  overdue: boolean;
  createdAt: string;
  lat: number;
  lng: number;
  /** 督办: the running step is past its second deadline threshold. */
  supervised?: boolean;
  flag?: FlagRef | null;
  keyArea?: KeyAreaRef | null;
}

export interface CasePageOut {
  items: CaseSummaryOut[];
  counts: Record<string, number>;
  nextCursor?: string | null;
}

export interface CaseEventOut {
  at: string;
  action: string;
  status: string;
  actor: string;
  actorEn?: string;
  public: boolean;
  note?: string | null;
}

export interface ExtensionOut {
  minutes: number;
  reason: string;
  state: string;
  requestedAt: string;
  decidedAt?: string | null;
  decisionNote?: string | null;
}

/** One case in full, as staff see it (GET /cases/{id} and every move's answer). */
export interface CaseOut extends CaseSummaryOut {
  escalations: number;
  reworks: number;
  reporter?: string;
  address: string | null;
  confidential: boolean;
  rejectReason: string | null;
  masterCaseId: number | null;
  deadlines: Record<string, string | null>;
  photos: PhotoOut[];
  afterPhotos: PhotoOut[];
  timeline: CaseEventOut[];
  extensions: ExtensionOut[];
  allowedActions: string[];
}

export interface ContactOut {
  nickname: string | null;
  phone: string | null;
  anonymous: boolean;
}

export interface RatingIn {
  score: number;
  comment: string;
}

export interface PublicKeyOut {
  publicKey: string;
}

export interface SubscriptionIn {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
}
