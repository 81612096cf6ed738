import { AdminChange } from '../four-eyes/admin-change.entity';
import { Agency } from '../agencies/agency.entity';
import { Assessment } from '../assessments/assessment.entity';
import { AuditEvent, AuditPending } from '../audit/audit-event.entity';
import { LoginFailure } from '../auth/login-failure.entity';
import { Dissemination } from '../outbox/dissemination.entity';
import { InboxItem } from '../dissemination/inbox-item.entity';
import { IdempotencyKey } from '../reports/idempotency-key.entity';
import { ReportEntityValue } from '../reports/report-entity-value.entity';
import { ReportShare } from '../reports/report-share.entity';
import { Report } from '../reports/report.entity';
import { ThreatLevelChange } from '../threat-level/threat-level-change.entity';
import { User } from '../users/user.entity';

/** Every mapped table. Migrations create them; `synchronize` is never used. */
export const ENTITIES = [Agency, User, LoginFailure, Report, ReportEntityValue, ReportShare, IdempotencyKey, AuditEvent, AuditPending, Assessment, ThreatLevelChange, Dissemination, InboxItem, AdminChange];
