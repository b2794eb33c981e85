;;; iam-lsp.el --- Eglot configuration for iam-lsp (AWS IAM policy language server) -*- lexical-binding: t; -*-

;; Usage: (load "/path/to/iam-lsp.el") in your init file, then M-x eglot in a policy buffer
;; (or add `eglot-ensure' to the JSON mode hooks, see below).  Needs Emacs 29+ (eglot built in)
;; or Emacs 28 with eglot from ELPA / Debian's elpa-eglot.

;;; Code:

(require 'eglot)
(require 'js)

(defgroup iam-lsp nil
  "AWS IAM policy language server."
  :group 'tools)

(defcustom iam-lsp-command '("iam-lsp" "serve" "--stdio")
  "Command that starts the iam-lsp server."
  :type '(repeat string))

(defcustom iam-lsp-settings
  '(:iamLsp (:securitySeverity "warning" :suggestionSeverity "information"))
  "Settings sent to iam-lsp (the \"iamLsp\" section).
Keys: :select :enable :disable (vectors of rule codes or names),
:severity (plist code -> severity), :policyTypes, :include, :exclude,
:maxSize, :options, :securitySeverity, :suggestionSeverity."
  :type 'sexp)

(defconst iam-lsp-modes '(json-mode json-ts-mode js-json-mode iam-lsp-json-mode)
  "Major modes of JSON buffers.
The server itself decides which documents are IAM policies.")

;; Emacs 28 has no JSON major mode of its own (.json opens in js-mode).  Without the json-mode
;; package, give .json files a js-mode variant so iam-lsp does not claim every JavaScript buffer.
(define-derived-mode iam-lsp-json-mode js-mode "JSON"
  "JavaScript mode for JSON files.
Used with iam-lsp on Emacs versions without a JSON mode.")

(unless (or (fboundp 'js-json-mode) (fboundp 'json-mode))
  (add-to-list 'auto-mode-alist '("\\.json\\'" . iam-lsp-json-mode)))

(add-to-list 'eglot-server-programs
             `(,iam-lsp-modes . ,(lambda (&rest _) iam-lsp-command)))

(defvar iam-lsp--previous-configuration (default-value 'eglot-workspace-configuration)
  "The global `eglot-workspace-configuration' before this file was loaded.")

(defun iam-lsp-workspace-configuration (server)
  "Workspace configuration for SERVER: the previous one plus `iam-lsp-settings'.
A project's .dir-locals.el that sets `eglot-workspace-configuration' still wins."
  (let* ((prev iam-lsp--previous-configuration)
         (base (if (functionp prev) (funcall prev server) prev)))
    (cond ((and (consp (car-safe base)) (assoc 'iamLsp base)) base)  ; alist form with our section
          ((consp (car-safe base)) (append base (list (cons 'iamLsp (plist-get iam-lsp-settings :iamLsp)))))
          ((plist-member base :iamLsp) base)
          (t (append base iam-lsp-settings)))))

;; Eglot calls a function value with the server (Eglot 1.9+ and Emacs 29's built-in Eglot).
(setq-default eglot-workspace-configuration #'iam-lsp-workspace-configuration)

;; To start iam-lsp automatically in every JSON buffer, uncomment:
;; (dolist (mode iam-lsp-modes) (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure))

(provide 'iam-lsp)
;;; iam-lsp.el ends here
