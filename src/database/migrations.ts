import { Foundation1764360000000 } from './migrations/1764360000000-Foundation';
import { Fusion1795901337214 } from './migrations/1795901337214-Fusion';
import { Dissemination1795901942710 } from './migrations/1795901942710-Dissemination';
import { Retention1795902292185 } from './migrations/1795902292185-Retention';
import { ReadPaths1795909400000 } from './migrations/1795909400000-ReadPaths';
import { CoveringCommunity1795909500000 } from './migrations/1795909500000-CoveringCommunity';
import { ShareMarkings1795909600000 } from './migrations/1795909600000-ShareMarkings';
import { TextSearchBranches1795909700000 } from './migrations/1795909700000-TextSearchBranches';
import { AccessKeySearch1795909800000 } from './migrations/1795909800000-AccessKeySearch';
import { ShareLiveAgencyCover1795909900000 } from './migrations/1795909900000-ShareLiveAgencyCover';
import { AuditChainV21796200000000 } from './migrations/1796200000000-AuditChainV2';
import { FourEyes1796400000000 } from './migrations/1796400000000-FourEyes';
import { RenormaliseEntities1796100000000 } from './migrations/1796100000000-RenormaliseEntities';
import { OversightAgencyKind1796300000000 } from './migrations/1796300000000-OversightAgencyKind';
import { UserAgencyIndex1796500000000 } from './migrations/1796500000000-UserAgencyIndex';

/** Every migration, oldest first. `npm run migration:generate` writes new ones into migrations/: add them here. */
export const MIGRATIONS = [
  Foundation1764360000000,
  Fusion1795901337214,
  Dissemination1795901942710,
  Retention1795902292185,
  ReadPaths1795909400000,
  CoveringCommunity1795909500000,
  ShareMarkings1795909600000,
  TextSearchBranches1795909700000,
  AccessKeySearch1795909800000,
  ShareLiveAgencyCover1795909900000,
  AuditChainV21796200000000,
  FourEyes1796400000000,
  RenormaliseEntities1796100000000,
  OversightAgencyKind1796300000000,
  UserAgencyIndex1796500000000,
];
