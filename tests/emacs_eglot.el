;;; emacs_eglot.el --- Emacs's eglot attaches `asynclint server' -*- lexical-binding: t -*-
;; SPDX-License-Identifier: MIT
;;
;; Run by emacs_eglot.sh inside `emacs --batch': evaluate the README's
;; Emacs snippet ($AL_SNIPPET, cut out of README.md by the script), visit
;; a file of the git work tree $AL_WS, start eglot as M-x eglot does, wait
;; for flymake's diagnostics, edit the buffer and wait for them to go,
;; undo, then apply the preferred code action through eglot's own menu
;; (the choice a user makes with RET), and write what Emacs saw to
;; $AL_OUT, one line per event. The shell script judges the lines; this
;; file only reports.

(require 'cl-lib)
(require 'subr-x)

(defvar al-out (getenv "AL_OUT"))

(defun al-say (fmt &rest args)
  (write-region (concat (apply #'format fmt args) "\n") nil al-out 'append
                'silent))

(defun al-wait (pred)
  "Wait for PRED, reading the server's messages; nil if it never holds.
A hang guard, not a timed assertion: generous on purpose."
  (let ((deadline (+ (float-time) 60)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      ;; Batch Emacs is never idle: run the idle timers (eglot's
      ;; didChange, flymake's start after an edit) as an idle Emacs would.
      (mapc #'timer-event-handler (copy-sequence timer-idle-list))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun al-diags ()
  (sort (flymake-diagnostics)
        (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))

(defun al-line (pos)
  (save-excursion (goto-char pos) (buffer-substring-no-properties
                                   (line-beginning-position)
                                   (line-end-position))))

(condition-case err
    (progn
      (write-region "" nil al-out nil 'silent)
      (setq make-backup-files nil
            create-lockfiles nil
            auto-save-default nil)
      (require 'eglot)
      ;; The README's snippet, as a user puts it in their init file.
      (with-temp-buffer
        (insert-file-contents (getenv "AL_SNIPPET"))
        (goto-char (point-min))
        (eval (read (current-buffer)) t))
      (find-file (expand-file-name "pkg/app.py" (getenv "AL_WS")))
      (al-say "mode %s" major-mode)
      ;; M-x eglot: the server from eglot-server-programs, the project
      ;; from the git work tree.
      (call-interactively #'eglot)
      (let ((server (eglot-current-server)))
        (al-say "server %s" (if server
                                (string-join (process-command
                                              (jsonrpc--process server))
                                             " ")
                              "none")))
      (al-say "diagnostics %s"
              (if (al-wait (lambda () (al-diags))) "arrived" "never arrived"))
      (dolist (d (al-diags))
        (let* ((lsp (cdr (assoc 'eglot-lsp-diag
                                (flymake-diagnostic-data d))))
               (beg (flymake-diagnostic-beg d)))
          (al-say "diag %d:%d %s %s %s: %s"
                  (line-number-at-pos beg)
                  (save-excursion (goto-char beg) (1+ (current-column)))
                  (plist-get lsp :code)
                  (flymake-diagnostic-type d)
                  (buffer-substring-no-properties
                   beg (flymake-diagnostic-end d))
                  (flymake-diagnostic-text d))))
      ;; An edit as typed: `fetch()' -> `await fetch()' on line 6.
      (goto-char (point-min))
      (forward-line 5)
      (back-to-indentation)
      (insert "await ")
      (al-say "after edit %s"
              (if (al-wait (lambda () (null (al-diags)))) "clean"
                (format "still %d" (length (al-diags)))))
      ;; And back (undo): the finding returns.
      (undo-boundary)
      (undo)
      (al-say "after undo %s: %s"
              (if (al-wait (lambda () (al-diags))) "finding back" "clean")
              (al-line (point)))
      ;; The code actions at the finding, through eglot's menu: the
      ;; completing-read's default (RET) is the preferred action.
      (goto-char (flymake-diagnostic-beg (car (al-diags))))
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (_prompt collection &rest args)
                   (dolist (c collection)
                     (al-say "action %s%s" (car c)
                             (if (plist-get (cdr c) :isPreferred)
                                 " (preferred)" "")))
                   (let ((def (nth 4 args)))
                     (al-say "chosen %s" def)
                     def))))
        ;; A keyboard user's menu (a list here would mean a mouse's).
        (let ((last-nonmenu-event ?\r))
          (eglot-code-actions (point) (point) nil t)))
      (al-say "after action %s: %s"
              (if (al-wait (lambda () (null (al-diags)))) "clean"
                (format "still %d" (length (al-diags))))
              (al-line (point)))
      (let ((server (eglot-current-server)))
        (eglot-shutdown server)
        (al-say "server %s" (if (jsonrpc-running-p server) "still running"
                              "shut down"))))
  (error (al-say "error %S" err)))
(kill-emacs 0)
;;; emacs_eglot.el ends here
