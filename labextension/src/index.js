// JupyterLab 4 plugin: the `vpc` language for CodeMirror 6, for .vpc files in
// the editor and for notebook cells that start with `%%vpc`.
//
// Plain JavaScript, so the build needs no TypeScript compiler and no type
// packages: every import below is a JupyterLab singleton, provided by
// JupyterLab at run time and never bundled (see README, "Syntax highlighting").

import { LanguageSupport, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { classHighlighter, tags } from '@lezer/highlight';

import { makeTokenizer } from './tokenizer.mjs';
import vocabulary from './vocabulary.json';

const MIME = 'text/x-vpc';
// The cells nbconvert's HighlightMagicsPreprocessor takes for `%%vpc` too.
const VPC_CELL = /^\s*%%vpc(\s|$)/;

// "special string" -> tags.special(tags.string): the tag last, modifiers before it.
function tagOf(spec) {
  const words = spec.split(' ');
  return words.slice(0, -1).reduceRight((tag, modifier) => tags[modifier](tag), tags[words.at(-1)]);
}

const vpcLanguage = StreamLanguage.define({
  name: 'vpc',
  ...makeTokenizer(vocabulary),
  tokenTable: Object.fromEntries(Object.entries(vocabulary.tags).map(([c, spec]) => [c, tagOf(spec)])),
  languageData: { commentTokens: { line: '#' }, closeBrackets: { brackets: ['{', '[', '"'] } },
});

// classHighlighter adds stable `tok-*` classes beside the theme's colours
// (what a browser test or a user stylesheet can select).
const vpcSupport = new LanguageSupport(vpcLanguage, [syntaxHighlighting(classHighlighter)]);

// A code cell is vpc while its source starts with `%%vpc`; when it no longer
// does, it goes back to the notebook's language. The notebook resets cells to
// its own language (when the kernel's language arrives), so a reset is undone.
function followVpcCells(panel, languages) {
  const notebook = panel.content;
  const watched = new WeakSet();
  const wanted = (cell) => {
    if (VPC_CELL.test(cell.sharedModel.getSource())) return MIME;
    return cell.mimeType === MIME ? notebook.codeMimetype : cell.mimeType;
  };
  const sync = async (cell) => {
    if (wanted(cell) === cell.mimeType) return;
    // An editor applies each language when it has loaded, the last one to load
    // winning: let the language it may still be loading (the cell's current
    // one, e.g. Python on opening) finish, and the editor apply it, first.
    await languages.getLanguage(cell.mimeType).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const mime = wanted(cell);
    if (mime !== cell.mimeType) cell.mimeType = mime;
  };
  const watchCells = () => {
    for (const cell of notebook.model?.cells ?? []) {
      if (cell.type !== 'code' || watched.has(cell)) continue;
      watched.add(cell);
      cell.contentChanged.connect(() => sync(cell));
      cell.mimeTypeChanged.connect(() => sync(cell));
      sync(cell);
    }
  };
  const watchModel = () => {
    notebook.model?.cells.changed.connect(watchCells);
    watchCells();
  };
  notebook.modelChanged.connect(watchModel);
  panel.context.ready.then(watchModel);
}

const plugin = {
  id: 'jupyterlab-vpcdsl:highlight',
  description: 'Syntax highlighting of vpcdsl .vpc models (files and %%vpc cells)',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  optional: [INotebookTracker],
  activate: (app, languages, notebooks) => {
    languages.addLanguage({
      name: 'vpc',
      displayName: 'vpc (vpcdsl)',
      alias: ['vpcdsl'],
      mime: MIME,
      extensions: ['vpc'],
      load: async () => vpcSupport,
    });
    app.docRegistry.addFileType({
      name: 'vpc',
      displayName: 'VPC model',
      extensions: ['.vpc'],
      mimeTypes: [MIME],
      fileFormat: 'text',
      contentType: 'file',
    });
    notebooks?.forEach((panel) => followVpcCells(panel, languages));
    notebooks?.widgetAdded.connect((_, panel) => followVpcCells(panel, languages));
  },
};

export default plugin;
