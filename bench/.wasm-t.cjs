const t=()=>Number(process.hrtime.bigint())/1e6; const T0=t();
const v8=require('v8'); if(process.argv[2]) v8.setFlagsFromString(process.argv[2]);
const fs=require('fs'); const p=require.resolve('libpg-query/wasm/libpg-query.wasm');
const a=t(); const bytes=fs.readFileSync(p); const b=t();
const mod=new WebAssembly.Module(bytes); const c=t();
console.log('read',(b-a).toFixed(1),'compile',(c-b).toFixed(1), 'imports', WebAssembly.Module.imports(mod).length);
const d=t(); const pg=require('libpg-query'); const e=t();
pg.loadModule().then(()=>{const f=t(); pg.parseSync('DO $$ BEGIN PERFORM 1; END $$;'); const g=t(); pg.parseSync('select 2'); const h=t();
console.log('require',(e-d).toFixed(1),'load',(f-e).toFixed(1),'first parse',(g-f).toFixed(1),'second',(h-g).toFixed(1));});
