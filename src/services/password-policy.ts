import type { Bindings } from '../env';
import { getConfig } from '../config';
import { invalidError } from '../lib/domain-errors';
import { codePoints } from '../lib/text';

export type InvalidPasswordCode =
  | 'REGISTER_INVALID_PASSWORD'
  | 'RESET_PASSWORD_INVALID_PASSWORD'
  | 'UPDATE_USER_INVALID_PASSWORD';

/**
 * Why a password breaks the policy, or null when it does not. Lengths count code points, as
 * Python's len() does. `email` is the address the user will have after the request, so a
 * password cannot sneak in the new address of an e-mail change.
 */
function passwordProblem(env: Bindings, password: string, email: string): string | null {
  const { passwordMinLength, passwordMaxLength } = getConfig(env);
  const length = codePoints(password);
  if (length < passwordMinLength) return `Password should be at least ${passwordMinLength} characters`;
  if (length > passwordMaxLength) return `Password should be at most ${passwordMaxLength} characters`;
  if (password.toLowerCase().includes(email.toLowerCase())) return 'Password should not contain e-mail';
  return null;
}

/** 400 `{"detail":{"code":<code>,"reason":…}}` when the password breaks the policy. */
export function assertPasswordPolicy(env: Bindings, password: string, email: string, code: InvalidPasswordCode): void {
  const problem = passwordProblem(env, password, email);
  if (problem) throw invalidError(code, problem);
}
