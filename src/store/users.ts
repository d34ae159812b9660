/** Admin portal users: a name, a role, and a scrypt hash of the password (never the password). */
import { EstuaryError } from "../core/errors.ts";
import type { Store } from "./db.ts";
import { createHash } from "node:crypto";
import { hashPassword, verifyPassword } from "./password.ts";

/**
 * smart_rtmpd's admin pages send hex md5(md5(password)) instead of the password. A scrypt hash of that
 * form is kept beside the main one, so those pages log in unchanged; it is as strong as the
 * password's own hash against a stolen table, and the md5 form is never stored.
 */
export function smartLoginForm(password: string): string {
  const md5 = (s: string) => createHash("md5").update(s).digest("hex");
  return md5(md5(password));
}

export type Role = "admin" | "viewer";
export const ROLES: readonly Role[] = ["admin", "viewer"];

export interface User {
  name: string;
  role: Role;
  created: number;
}

/** A refused change: the message names the value and the rule. */
export class UserError extends EstuaryError {
  constructor(message: string) {
    super("user", message);
  }
}

const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

export function checkName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new UserError(`user name ${JSON.stringify(name)} refused: 1..64 of A-Z a-z 0-9 _ . @ -`);
  }
  return name;
}

export function checkPassword(pwd: unknown): string {
  if (typeof pwd !== "string" || pwd.length < 8 || pwd.length > 256) {
    throw new UserError("password refused: must be 8..256 characters");
  }
  return pwd;
}

export function checkRole(role: unknown): Role {
  if (!ROLES.includes(role as Role)) {
    throw new UserError(`role ${JSON.stringify(role)} refused: must be admin or viewer`);
  }
  return role as Role;
}

export class UserStore {
  #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  list(): User[] {
    return this.#store.db.prepare("select name, role, created from users order by name")
      .all() as unknown as User[];
  }

  get(name: string): User | undefined {
    return this.#store.db.prepare("select name, role, created from users where name = ?").get(name) as
      | User
      | undefined;
  }

  count(): number {
    return (this.#store.db.prepare("select count(*) as n from users").get() as { n: number }).n;
  }

  async add(name: string, password: string, role: Role): Promise<User> {
    checkName(name);
    checkPassword(password);
    checkRole(role);
    if (this.get(name)) throw new UserError(`user ${name} refused: the name is taken`);
    const created = Date.now();
    this.#store.db.prepare("insert into users (name, hash, legacy, role, created) values (?, ?, ?, ?, ?)")
      .run(name, await hashPassword(password), await hashPassword(smartLoginForm(password)), role, created);
    return { name, role, created };
  }

  /** Removes a user; the last admin cannot be removed (nobody could administer the server). */
  remove(name: string): void {
    const u = this.get(name);
    if (!u) throw new UserError(`user ${name} refused: no such user`);
    if (u.role === "admin" && this.#admins() <= 1) {
      throw new UserError(`user ${name} refused: the last admin stays`);
    }
    this.#store.db.prepare("delete from users where name = ?").run(name);
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    if (!this.get(name)) throw new UserError(`user ${name} refused: no such user`);
    this.#store.db.prepare("update users set hash = ?, legacy = ? where name = ?")
      .run(await hashPassword(password), await hashPassword(smartLoginForm(password)), name);
  }

  setRole(name: string, role: Role): void {
    checkRole(role);
    const u = this.get(name);
    if (!u) throw new UserError(`user ${name} refused: no such user`);
    if (u.role === "admin" && role !== "admin" && this.#admins() <= 1) {
      throw new UserError(`user ${name} refused: the last admin stays admin`);
    }
    this.#store.db.prepare("update users set role = ? where name = ?").run(role, name);
  }

  /** The user when name and password match; undefined otherwise (same cost either way). */
  async verify(name: string, password: string): Promise<User | undefined> {
    const row = this.#store.db.prepare("select name, role, created, hash, legacy from users where name = ?")
      .get(name) as (User & { hash: string; legacy: string | null }) | undefined;
    // An unknown name still pays for one hash, so timing does not tell names apart.
    let ok = await verifyPassword(password, row?.hash ?? DUMMY);
    if (!ok && row?.legacy && /^[0-9a-f]{32}$/.test(password)) {
      ok = await verifyPassword(password, row.legacy);
    }
    if (!row || !ok) return undefined;
    return { name: row.name, role: row.role, created: row.created };
  }

  #admins(): number {
    return (this.#store.db.prepare("select count(*) as n from users where role = 'admin'").get() as {
      n: number;
    }).n;
  }
}

const DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
