/**
 * The page's style sheet.
 *
 * @module
 */

/** `app.css`. */
export const APP_CSS = `
[hidden] { display: none !important; }
body { font-family: system-ui, sans-serif; margin: 0; color: #1d232a; background: #f7f8fa; }
header { display: flex; gap: 1em; align-items: center; padding: 0.5em 1em; background: #1f4e79;
  color: white; }
header h1 { font-size: 1.3em; margin: 0; }
header #who { margin-left: auto; }
main { padding: 1em; max-width: 70em; margin: auto; }
form#login { display: grid; gap: 0.7em; max-width: 20em; }
label { display: inline-flex; gap: 0.4em; align-items: center; }
#crumbs a, #crumbs span { margin-right: 0.3em; }
#toolbar { display: flex; gap: 1em; align-items: center; flex-wrap: wrap; margin: 0.7em 0; }
table { border-collapse: collapse; width: 100%; background: white; }
th, td { text-align: left; padding: 0.35em 0.6em; border-bottom: 1px solid #e3e6ea; }
td.size, td.time { white-space: nowrap; color: #4a5560; }
.mark { font-size: 0.8em; background: #fde9b6; border-radius: 0.3em; padding: 0 0.3em;
  margin-left: 0.4em; }
#dropzone { border: 2px dashed transparent; border-radius: 0.4em; }
#dropzone.over { border-color: #1f4e79; background: #e8f0f8; }
#drop-hint { color: #6b7680; text-align: center; }
.error { color: #a4161a; }
#uploads ul { list-style: none; padding: 0; }
#uploads li { display: flex; gap: 0.6em; align-items: center; margin: 0.2em 0; }
progress { width: 14em; }
td button { margin-right: 0.3em; }
`;
