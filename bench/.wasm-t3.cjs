const t=()=>Number(process.hrtime.bigint())/1e6; const T0=t();
const mode=process.argv[2]; const busy=Number(process.argv[3]||60);
const v8=require('v8'); const fs=require('fs'); const p=require.resolve('libpg-query/wasm/libpg-query.wasm');
v8.setFlagsFromString('--liftoff-only');
let pre;
(async()=>{
if(mode!=='lazy'){ v8.setFlagsFromString('--no-wasm-lazy-compilation'); pre=WebAssembly.compile(fs.readFileSync(p)); 
  for (let k=0;k<Number(process.argv[4]||1);k++) await new Promise(r=>setImmediate(r)); }
const s=t(); while(t()-s<busy){} // the hook's other work
const c0=process.cpuUsage(); const a=t();
if(pre && mode==='await') await pre; const pg=require('libpg-query'); await pg.loadModule(); pg.parseSync('DO $$ BEGIN PERFORM 1; END $$;'); const b=t(); const c=process.cpuUsage(c0);
console.log(mode, process.argv[4]||1, 'after busy: parser ready+parsed in', (b-a).toFixed(1),'ms; total', (b-T0).toFixed(1), 'cpu user ms', (c.user/1000).toFixed(0)); })();
