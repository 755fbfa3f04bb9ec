// The operations dashboard: a web page over the operations store (npx oncebus dashboard). Loaded only when
// asked for: it needs the optional peer dependency fastify.
export { checkDashboardOptions, createDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
