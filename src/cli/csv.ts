// plens writes CSV with the same helper as the panel's export (src/csv.ts).
export { csv } from '../csv';
