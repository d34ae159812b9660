/**
 * The server's own small database (node:sqlite): admin users and settings such as the token
 * secret, in `<root>/data/estuary.db`. One connection, synchronous calls (a handful per admin
 * request), and the schema created on open.
 */
import { DatabaseSync } from "node:sqlite";

const SCHEMA = `
create table if not exists users (
  name text primary key,
  hash text not null,
  role text not null check (role in ('admin', 'viewer')),
  created integer not null
);
create table if not exists settings (
  key text primary key,
  value text not null
);
`;

export class Store {
  readonly db: DatabaseSync;

  /** `path` ":memory:" for tests. */
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec("pragma journal_mode = wal; pragma busy_timeout = 2000;");
    this.db.exec(SCHEMA);
    // Added later: a hash of smart_rtmpd's login form of the password (see users.ts).
    const cols = this.db.prepare("pragma table_info(users)").all() as { name: string }[];
    if (!cols.some((c) => c.name === "legacy")) this.db.exec("alter table users add column legacy text");
  }

  setting(key: string): string | undefined {
    const row = this.db.prepare("select value from settings where key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare(
      "insert into settings (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
    )
      .run(key, value);
  }

  close(): void {
    try {
      this.db.close();
    } catch { /* already closed */ }
  }
}
