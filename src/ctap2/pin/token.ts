// The pinUvAuthToken and its state (CTAP 2.1 §6.5.2.1): permissions, permissions RP ID, the
// userPresent / userVerified flags, and the usage timers.
import { Permission } from '../../ctap/permissions.js';
import { CtapError, Status } from '../../ctap/status.js';

/** Unused tokens expire after 30 s; any token after 10 minutes (§6.5.2.1 usage timers). */
export const INITIAL_USAGE_LIMIT_MS = 30_000;
export const MAX_USAGE_PERIOD_MS = 600_000;

export class PinUvAuthToken {
  private inUse = false;
  private grantedAt = 0;
  private used = false;
  permissions = 0;
  rpId: string | undefined;
  /** The PIN/UV auth protocol that issued it: the token works with that protocol only. */
  protocol: number | undefined;
  private userPresent = false;
  private userVerified = false;

  constructor(public value: Uint8Array) {}

  /** resetPinUvAuthToken(): a new random token; the old one stops working. */
  reset(value: Uint8Array): void {
    this.value = value;
    this.stop();
  }

  /** beginUsingPinUvAuthToken(userIsPresent). */
  begin(now: number, protocol: number, permissions: number, rpId: string | undefined, userIsPresent: boolean): void {
    this.inUse = true;
    this.protocol = protocol;
    this.grantedAt = now;
    this.used = false;
    this.permissions = permissions;
    this.rpId = rpId;
    this.userPresent = userIsPresent;
    this.userVerified = true;
  }

  stop(): void {
    this.inUse = false;
    this.protocol = undefined;
    this.permissions = 0;
    this.rpId = undefined;
    this.userPresent = false;
    this.userVerified = false;
  }

  /** The usage timer observer, run before each use. */
  private expire(now: number): void {
    if (!this.inUse) return;
    const age = now - this.grantedAt;
    if (age > MAX_USAGE_PERIOD_MS || (!this.used && age > INITIAL_USAGE_LIMIT_MS)) this.stop();
  }

  isActive(now: number): boolean {
    this.expire(now);
    return this.inUse;
  }

  /**
   * The checks shared by every command that takes a pinUvAuthParam made with this token:
   * in use, issued under `protocol`, has `permission`, bound to `rpId` (or binds it now when `bindRpId`).
   */
  authorize(now: number, protocol: number, permission: number, rpId: string | undefined, bindRpId: boolean): void {
    if (!this.isActive(now)) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthToken expired or not issued');
    if (protocol !== this.protocol) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthToken issued under another protocol');
    if ((this.permissions & permission) !== permission) {
      throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthToken lacks the permission');
    }
    if (rpId !== undefined && this.rpId !== undefined && this.rpId !== rpId) {
      throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthToken is bound to another RP');
    }
    // §6.1.2 step 11.1.4, §6.2.2 step 6.1.4: a ceremony needs a token whose verification is unspent.
    if (permission & (Permission.mc | Permission.ga) && !this.userVerified) {
      throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthToken already spent');
    }
    if (bindRpId && this.rpId === undefined) this.rpId = rpId;
    this.used = true;
  }

  get userPresentFlag(): boolean {
    return this.inUse && this.userPresent;
  }

  /** After a ceremony collected presence: the token's flags and permissions (except lbw) are spent. */
  consume(): void {
    if (!this.inUse) return;
    this.userPresent = false;
    this.userVerified = false;
    this.permissions &= Permission.lbw;
  }
}
