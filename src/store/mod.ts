export { Store } from "./db.ts";
export { hashPassword, verifyPassword } from "./password.ts";
export {
  checkName,
  checkPassword,
  checkRole,
  type Role,
  ROLES,
  smartLoginForm,
  type User,
  UserError,
  UserStore,
} from "./users.ts";
