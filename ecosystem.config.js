// PM2 processes for every organization instance: `pm2 start ecosystem.config.js`.
// Each instances/<slug>.env (not example.env) gives three apps:
//   lms-<slug>-web     gunicorn wsgi:app on 127.0.0.1:<PORT> with <WEB_WORKERS> workers
//   lms-<slug>-worker  rq worker --with-scheduler on the instance's queue
//   lms-<slug>-cron    rq cron with lms/cron_config.py (the periodic jobs of lms/periodic.py)
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = __dirname;
const INSTANCES_DIR = process.env.LMS_INSTANCES_DIR || path.join(ROOT, "instances");
const BIN = path.join(ROOT, ".venv", "bin");

function parseEnvFile(file) {
  const values = {};
  for (const raw of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!match) continue;
    let value = match[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    values[match[1]] = value;
  }
  return values;
}

function instanceApps(slug, env) {
  const common = {
    cwd: ROOT,
    interpreter: "none",
    autorestart: true,
    merge_logs: true,
    time: true,
    env: { LMS_INSTANCE: slug, LMS_INSTANCES_DIR: INSTANCES_DIR, PYTHONUNBUFFERED: "1" },
  };
  const port = env.PORT || "8001";
  const redisUrl = env.REDIS_URL || "redis://127.0.0.1:6379/0";
  const queue = env.QUEUE_NAME || `lms-${slug}`;
  return [
    {
      ...common,
      name: `lms-${slug}-web`,
      script: path.join(BIN, "gunicorn"),
      args: ["wsgi:app", "--bind", `127.0.0.1:${port}`, "--workers", env.WEB_WORKERS || "2",
             "--access-logfile", "-", "--timeout", "60"],
      max_memory_restart: "400M",
      kill_timeout: 30000,
    },
    {
      ...common,
      name: `lms-${slug}-worker`,
      script: path.join(BIN, "rq"),
      args: ["worker", "--with-scheduler", "--worker-class", "lms.worker.Worker", "--url", redisUrl, queue],
      kill_timeout: 60000,
    },
    {
      ...common,
      name: `lms-${slug}-cron`,
      script: path.join(BIN, "rq"),
      args: ["cron", "--url", redisUrl, "lms.cron_config"],
    },
  ];
}

const apps = [];
if (fs.existsSync(INSTANCES_DIR)) {
  for (const file of fs.readdirSync(INSTANCES_DIR).sort()) {
    if (!file.endsWith(".env") || file === "example.env") continue;
    const slug = file.slice(0, -".env".length);
    apps.push(...instanceApps(slug, parseEnvFile(path.join(INSTANCES_DIR, file))));
  }
}

module.exports = { apps };
